/**
 * Cut the backbone at a stage boundary into a frozen bottom and a trainable top that share the
 * original layers (and so their weights). The bottom's output can then be computed once per chip
 * and the top trained on it: an epoch costs only the unfrozen part.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { STAGES } from "./backbone.ts";

/** A backbone cut in two. `top.apply(bottom.apply(x))` equals `backbone.apply(x)`. */
export interface SplitBackbone {
  bottom: tf.LayersModel;
  top: tf.LayersModel;
  /** Name of the last bottom layer. */
  boundary: string;
}

interface GraphNode {
  inboundLayers: tf.layers.Layer[];
}

/**
 * Split before the last `n` residual stages (1..STAGES.length).
 *
 * @throws RangeError for an `n` out of range.
 */
export function splitBackbone(backbone: tf.LayersModel, n: number): SplitBackbone {
  if (!Number.isInteger(n) || n < 1 || n > STAGES.length) {
    throw new RangeError(
      `Cannot split off "${n}" stages: use an integer from 1 to ${STAGES.length}`,
    );
  }
  const first = STAGES[STAGES.length - n];
  const layers = backbone.layers;
  const start = layers.findIndex((l) => l.name.startsWith(`${first}.`));
  if (start < 1) throw new Error(`Backbone "${backbone.name}" has no stage "${first}"`);
  const boundary = layers[start - 1];
  const bottom = tf.model({
    name: "backbone_bottom",
    inputs: backbone.inputs,
    outputs: boundary.output as tf.SymbolicTensor,
  });
  const input = tf.input({ name: "features", shape: (boundary.outputShape as number[]).slice(1) });
  const produced = new Map<string, tf.SymbolicTensor>([[boundary.name, input]]);
  for (const layer of layers.slice(start)) {
    const node = (layer as unknown as { inboundNodes: GraphNode[] }).inboundNodes[0];
    const inputs = node.inboundLayers.map((l) => {
      const t = produced.get(l.name);
      if (!t) throw new Error(`Layer "${layer.name}" reads "${l.name}" from below the cut`);
      return t;
    });
    produced.set(
      layer.name,
      layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.SymbolicTensor,
    );
  }
  const output = produced.get(layers[layers.length - 1].name)!;
  const top = tf.model({ name: "backbone_top", inputs: input, outputs: output });
  return { bottom, top, boundary: boundary.name };
}
