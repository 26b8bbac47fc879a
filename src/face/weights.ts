/**
 * Read the pretrained weights that the npm package `@vladmandic/face-api` ships in its `model/`
 * folder. Nothing is downloaded: the package is installed with the rest of the dependencies.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { packageDir } from "../backend/npm_path.ts";

/** The pretrained networks facefit uses, by their file name in face-api's `model/` folder. */
export type FaceApiModel =
  | "ssd_mobilenetv1_model"
  | "face_landmark_68_model"
  | "face_recognition_model";

/** The folder holding face-api's weight files, as a file URL. */
export function faceApiModelDir(): URL {
  return new URL("model/", packageDir("@vladmandic/face-api"));
}

/**
 * Load one of face-api's weight files as named tensors (dequantized to float32).
 *
 * @param modelDir overrides the folder, for tests with tiny fixtures.
 */
export async function loadWeightMap(
  model: FaceApiModel,
  modelDir: URL = faceApiModelDir(),
): Promise<tf.NamedTensorMap> {
  const manifestUrl = new URL(`${model}-weights_manifest.json`, modelDir);
  let manifest: tf.io.WeightsManifestConfig;
  try {
    manifest = JSON.parse(await Deno.readTextFile(manifestUrl));
  } catch (error) {
    throw new Error(
      `Cannot read the weights manifest "${manifestUrl.pathname}": ${errorText(error)}; ` +
        'reinstall the dependencies with "deno install"',
    );
  }
  const specs = manifest.flatMap((group) => group.weights);
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    for (const path of group.paths) {
      const url = new URL(path, modelDir);
      try {
        parts.push(await Deno.readFile(url));
      } catch (error) {
        throw new Error(
          `Cannot read the weights file "${url.pathname}": ${errorText(error)}; ` +
            'reinstall the dependencies with "deno install"',
        );
      }
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buffer = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    buffer.set(p, offset);
    offset += p.length;
  }
  return tf.io.decodeWeights(buffer.buffer, specs);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
