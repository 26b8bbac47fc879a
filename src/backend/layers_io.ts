/**
 * Read a tfjs LayersModel from a folder on disk (`model.json` + the weight files it lists), with
 * errors that say which file is wrong.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";

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
  let json: { modelTopology?: unknown; weightsManifest?: tf.io.WeightsManifestConfig };
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "is missing"
      : error instanceof SyntaxError
      ? `is not valid JSON (${error.message})`
      : `cannot be read (${error instanceof Error ? error.message : error})`;
    throw new Error(`${name} is damaged: "${path}" ${why}; retrain it`);
  }
  const specs = json.weightsManifest?.flatMap((g) => g.weights) ?? [];
  const parts: Uint8Array[] = [];
  for (const p of json.weightsManifest?.flatMap((g) => g.paths) ?? []) {
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
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    weights.set(p, o);
    o += p.length;
  }
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weights.byteLength !== expected) {
    throw new Error(
      `${name} is damaged: its weights have ${weights.byteLength} bytes, model.json expects ${expected}; retrain it`,
    );
  }
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
      weightSpecs: specs,
      weightData: weights.buffer as ArrayBuffer,
    }));
  } catch (error) {
    throw new Error(
      `${name} is damaged: model.json cannot be built (${
        error instanceof Error ? error.message : error
      }); retrain it`,
    );
  }
}
