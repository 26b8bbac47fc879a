/**
 * Read a tfjs LayersModel from a folder on disk (`model.json` + the weight files it lists), with
 * errors that say which file is wrong.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { join } from "node:path";
import { concatBytes } from "./bytes.ts";

/** A checked `model.json`: the topology, the weight specs and the weight files. */
export interface LayersManifest {
  /** The Keras topology, for `tf.loadLayersModel`. */
  modelTopology: tf.io.ModelArtifacts["modelTopology"];
  /** Every weight's name, shape and dtype, in file order. */
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** The weight files, plain names in the model's folder. */
  paths: string[];
  /** The bytes the weight files must hold together. */
  bytes: number;
}

/** Bytes per value of the dtypes a LayersModel's weights are stored in. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4 };

/**
 * Check a parsed `model.json`: an object with a topology and a weights manifest whose files are
 * plain names inside the model's folder (never a path that leads out of it).
 *
 * @throws Error whose message says what is wrong, without naming the model.
 */
export function checkManifest(json: unknown): LayersManifest {
  if (!isObject(json) || !isObject(json.modelTopology)) {
    throw new Error('model.json has no "modelTopology" object');
  }
  for (const name of layerConfigNames(json.modelTopology)) {
    // tfjs checks names only once it has started allocating weights, and then leaks them.
    if (name !== undefined && (typeof name !== "string" || !VALID_NAME.test(name))) {
      throw new Error(`model.json has a layer named ${JSON.stringify(name)}`);
    }
  }
  const groups = json.weightsManifest;
  if (!Array.isArray(groups) || !groups.every(isObject)) {
    throw new Error('model.json has no "weightsManifest" list');
  }
  const paths: string[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  let bytes = 0;
  for (const group of groups) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error('model.json has a weights group without "paths" and "weights"');
    }
    for (const p of group.paths) {
      if (typeof p !== "string" || !/^[\w.-]+$/.test(p) || p === "." || p === "..") {
        throw new Error(
          `model.json lists the weight file ${JSON.stringify(p)}: only plain file names ` +
            "in the model's folder are read",
        );
      }
      paths.push(p);
    }
    for (const spec of group.weights) {
      const shape = isObject(spec) ? spec.shape : undefined;
      const size = isObject(spec) ? DTYPE_BYTES[String(spec.dtype)] : undefined;
      if (
        !isObject(spec) || typeof spec.name !== "string" || size === undefined ||
        !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)
      ) {
        throw new Error(
          `model.json has a broken weight entry ${JSON.stringify(spec).slice(0, 80)}`,
        );
      }
      bytes += (shape as number[]).reduce((a, b) => a * b, 1) * size;
      weightSpecs.push(spec as unknown as tf.io.WeightsManifestEntry);
    }
  }
  checkWeightsFit(json.modelTopology, weightSpecs);
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
    weightSpecs,
    paths,
    bytes,
  };
}

/**
 * Load `dir/model.json` and its weights.
 *
 * @param name how messages call the model, e.g. `Model "models/friends" (backbone/)`.
 * @throws Error when a file is missing, unreadable, of the wrong size, or not a LayersModel.
 */
export async function readLayersModel(
  dir: string,
  name = `Model "${dir}"`,
): Promise<tf.LayersModel> {
  const path = join(dir, "model.json");
  let manifest: LayersManifest;
  try {
    manifest = checkManifest(JSON.parse(await Deno.readTextFile(path)));
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "is missing"
      : error instanceof SyntaxError
      ? `is not valid JSON (${error.message})`
      : error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
      ? `cannot be read (${error.message})`
      : `is not a facefit network (${error instanceof Error ? error.message : error})`;
    throw new Error(`${name} is damaged: "${path}" ${why}; retrain it`);
  }
  const parts: Uint8Array[] = [];
  for (const p of manifest.paths) {
    try {
      parts.push(await Deno.readFile(join(dir, p)));
    } catch (error) {
      throw new Error(
        `${name} is incomplete: cannot read "${p}" (${
          error instanceof Error ? error.message : error
        }); retrain it`,
      );
    }
  }
  const weights = concatBytes(parts);
  if (weights.byteLength !== manifest.bytes) {
    throw new Error(
      `${name} is damaged: its weights have ${weights.byteLength} bytes, model.json expects ${manifest.bytes}; retrain it`,
    );
  }
  return await buildLayersModel(manifest, weights, name);
}

/**
 * Build a LayersModel from a checked manifest and its weight bytes.
 *
 * @throws Error naming the model when tfjs cannot build the topology.
 */
export async function buildLayersModel(
  manifest: LayersManifest,
  weights: Uint8Array,
  name: string,
): Promise<tf.LayersModel> {
  const before = new Set(Object.keys(registeredVariables()));
  try {
    // With weights given, tfjs builds the layers with zeros instead of running their initializers
    // (fast, and a damaged initializer cannot stall it).
    return await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: manifest.weightSpecs,
      weightData: weights.buffer as ArrayBuffer,
    }));
  } catch (error) {
    // tfjs keeps the variables of the layers it built before failing; free this model's.
    const layers = layerNames(manifest.modelTopology);
    for (const [name, variable] of Object.entries(registeredVariables())) {
      const scope = name.split("/")[0];
      if (!before.has(name) && [...layers].some((l) => scope.startsWith(l))) {
        variable.dispose();
      }
    }
    throw new Error(
      `${name} is damaged: model.json cannot be built (${
        error instanceof Error ? error.message : error
      }); retrain it`,
    );
  }
}

/**
 * Check that the weights fit the layers before tfjs allocates anything: every weight belongs to
 * a layer, none is listed twice, and the layers with weights (dense and convolutions) find theirs
 * with the sizes their configuration gives. tfjs finds a mismatch only after decoding every
 * weight, and then keeps the decoded tensors.
 */
function checkWeightsFit(topology: unknown, specs: tf.io.WeightsManifestEntry[]): void {
  const layers = new Map<string, { kind: string; config: Record<string, unknown> }>();
  const collect = (t: unknown) => {
    const config = isObject(t) && isObject(t.config) ? t.config : undefined;
    for (const layer of config && Array.isArray(config.layers) ? config.layers : []) {
      if (!isObject(layer) || !isObject(layer.config)) continue;
      if (typeof layer.config.name === "string") {
        layers.set(layer.config.name, { kind: String(layer.class_name), config: layer.config });
      } else if (WEIGHTED.has(String(layer.class_name))) {
        throw new Error(`model.json has a ${layer.class_name} layer without a name`);
      }
      collect(layer);
    }
  };
  collect(topology);
  if (layers.size === 0) throw new Error("model.json has no named layers");
  const shapes = new Map<string, number[]>();
  for (const spec of specs) {
    if (shapes.has(spec.name)) throw new Error(`model.json lists the weight "${spec.name}" twice`);
    shapes.set(spec.name, spec.shape);
    if (!layers.has(spec.name.split("/")[0])) {
      throw new Error(`model.json has a weight "${spec.name}" that belongs to no layer`);
    }
  }
  const last = (shape: number[] | undefined) => shape?.[shape.length - 1];
  // Each of these layers must find its weights (the others here have none, or are not checked).
  for (const [name, { kind, config }] of layers) {
    const wanted: [string, unknown][] = [];
    if (kind === "Dense") wanted.push(["kernel", config.units]);
    else if (kind === "Conv2D") wanted.push(["kernel", config.filters]);
    else if (kind === "DepthwiseConv2D") wanted.push(["depthwise_kernel", config.depth_multiplier]);
    else continue;
    if ((config.use_bias ?? true) && kind !== "DepthwiseConv2D") {
      wanted.push(["bias", wanted[0][1]]);
    }
    for (const [weight, size] of wanted) {
      const shape = shapes.get(`${name}/${weight}`);
      if (shape === undefined) {
        throw new Error(`model.json has no weight "${name}/${weight}" for its ${kind} layer`);
      }
      if (last(shape) !== size) {
        throw new Error(
          `model.json gives the ${kind} layer "${name}" ${JSON.stringify(size)} outputs but ` +
            `its weight "${name}/${weight}" has shape [${shape}]`,
        );
      }
    }
  }
}

/** The layer classes whose weights {@linkcode checkWeightsFit} checks. */
const WEIGHTED = new Set(["Dense", "Conv2D", "DepthwiseConv2D"]);

/** What tfjs accepts as a layer (and so a weight) name. */
const VALID_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

/** The `config.name` of every layer of a Keras topology, nested ones included, as found. */
function layerConfigNames(topology: unknown): unknown[] {
  const config = isObject(topology) && isObject(topology.config) ? topology.config : undefined;
  const layers = config && Array.isArray(config.layers) ? config.layers : [];
  return layers.flatMap((layer) =>
    isObject(layer) && isObject(layer.config) ? [layer.config.name, ...layerConfigNames(layer)] : []
  );
}

/** The variables tfjs holds, by name (`layer/weight`, with a suffix when a name repeats). */
function registeredVariables(): Record<string, tf.Variable> {
  return (tf.engine() as unknown as { state: { registeredVariables: Record<string, tf.Variable> } })
    .state.registeredVariables;
}

/** The names of a Keras topology's layers (nested models included); name prefixes when unnamed. */
function layerNames(topology: unknown, out = new Set<string>()): Set<string> {
  const config = isObject(topology) && isObject(topology.config) ? topology.config : undefined;
  const layers = config && Array.isArray(config.layers) ? config.layers : [];
  for (const layer of layers) {
    if (!isObject(layer) || !isObject(layer.config)) continue;
    if (typeof layer.config.name === "string") out.add(layer.config.name);
    else if (typeof layer.class_name === "string") {
      // Unnamed, tfjs names it after its class: "dense_Dense1".
      out.add(`${layer.class_name.toLowerCase()}_${layer.class_name}`);
    }
    layerNames(layer, out);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
