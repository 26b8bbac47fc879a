/**
 * Read the pretrained weights that the npm package `@vladmandic/face-api` ships in its `model/`
 * folder. Nothing is downloaded: the package is installed with the rest of the dependencies.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { concatBytes } from "../backend/bytes.ts";
import { packageDir } from "../backend/npm_path.ts";
// Puts face-api in the module graph wherever this module is loaded from (a checkout or a URL), so
// that packageDir finds its folder; the manifest itself is read again below, like the others.
import "npm:@vladmandic/face-api@1.7.15/model/ssd_mobilenetv1_model-weights_manifest.json" with {
  type: "json",
};

/** The pretrained networks facefit uses, by their file name in face-api's `model/` folder. */
export type FaceApiModel =
  | "ssd_mobilenetv1_model"
  | "face_landmark_68_model"
  | "face_recognition_model";

/** The face-api version whose weights (and architectures) facefit is built for. */
export const FACE_API_VERSION = "1.7.15";

const FACE_API_PACKAGE = "@vladmandic/face-api";

/** The folder holding face-api's weight files, as a file URL. */
export function faceApiModelDir(): URL {
  return new URL("model/", packageDir(FACE_API_PACKAGE, FACE_API_VERSION));
}

/**
 * Load one of face-api's weight files as named tensors (dequantized to float32).
 *
 * @param modelDir overrides the folder, for tests with tiny fixtures.
 * @throws Error naming the missing or unreadable file and what to do.
 */
export async function loadWeightMap(
  model: FaceApiModel,
  modelDir: URL = faceApiModelDir(),
): Promise<tf.NamedTensorMap> {
  const manifestUrl = new URL(`${model}-weights_manifest.json`, modelDir);
  let manifest: tf.io.WeightsManifestConfig;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readOrExplain(manifestUrl, model)));
    if (!Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g?.paths))) {
      throw new Error("expected an array of {paths, weights} groups");
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Cannot read")) throw error;
    throw new Error(
      `Cannot parse the weights manifest "${manifestUrl.pathname}": ` +
        `${error instanceof Error ? error.message : error}; reinstall ${FACE_API_PACKAGE}`,
    );
  }
  const weights: tf.NamedTensorMap = {};
  for (const group of manifest) {
    const shards = await Promise.all(
      group.paths.map((p) => readOrExplain(new URL(p, modelDir), model)),
    );
    const buffer = concatBytes(shards);
    Object.assign(weights, tf.io.decodeWeights(buffer.buffer, group.weights));
  }
  return weights;
}

async function readOrExplain(url: URL, model: FaceApiModel): Promise<Uint8Array> {
  try {
    return await Deno.readFile(url);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "file not found"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new Error(
      `Cannot read the ${model.replaceAll("_", " ")} weights "${url.pathname}": ${why}; run ` +
        `"deno install" in the project folder to fetch ${FACE_API_PACKAGE}@${FACE_API_VERSION}`,
    );
  }
}
