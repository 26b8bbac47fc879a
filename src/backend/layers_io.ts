/**
 * Read a tfjs LayersModel from a folder on disk (`model.json` + the weight files it lists), with
 * errors that say which file is wrong.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";

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
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    weights.set(p, o);
    o += p.length;
  }
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
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: manifest.weightSpecs,
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
