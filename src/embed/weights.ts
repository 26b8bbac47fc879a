/**
 * Load face-api's pretrained face recognition weights (shipped in the @vladmandic/face-api npm
 * package, mostly uint8-quantized) into the backbone, folding each per-channel scale into its
 * convolution.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { LayersModel } from "../backend/tf_types.ts";
import { packageDir } from "../backend/npm_path.ts";
import { FACE_API_VERSION, faceApiModelDir, loadWeightMap } from "../face/weights.ts";
import { buildBackbone, CONV_LAYERS, FC_LAYER } from "./backbone.ts";

/** The face-api release whose weights and architecture the backbone reproduces. */
export { FACE_API_VERSION, faceApiModelDir };

/**
 * Identifies the pretrained weights and architecture: descriptors (and anything cached from them)
 * are comparable only between models with the same id.
 */
export const BACKBONE_ID = `face-api/face_recognition_model@${FACE_API_VERSION}`;

const FACE_API_PACKAGE = "@vladmandic/face-api";
const MANIFEST_FILE = "face_recognition_model-weights_manifest.json";

/**
 * Read face-api's `face_recognition_model` weights as named tensors (dequantized to float32).
 *
 * @param dir the folder holding the manifest and shards; default: the installed face-api.
 * @throws Error naming the missing or unreadable file and what to do.
 */
export function readFaceApiWeights(dir: URL = faceApiModelDir()): Promise<tf.NamedTensorMap> {
  return loadWeightMap("face_recognition_model", dir);
}

function take(weights: tf.NamedTensorMap, name: string, used: Set<string>): tf.Tensor {
  const t = weights[name];
  if (t === undefined) {
    throw new Error(
      `Weight "${name}" is missing from the face recognition weights: use face-api's ` +
        `${MANIFEST_FILE} from ${FACE_API_PACKAGE}@${FACE_API_VERSION}`,
    );
  }
  used.add(name);
  return t;
}

function checkShape(name: string, actual: number[], expected: number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(
      `Weight "${name}" has shape [${actual}] but the backbone needs [${expected}]: use face-api's ` +
        `${MANIFEST_FILE} from ${FACE_API_PACKAGE}@${FACE_API_VERSION}`,
    );
  }
}

/**
 * Set face-api weights (as returned by `readFaceApiWeights`) into a model from `buildBackbone`.
 *
 * face-api computes `(conv(x, K) + b) * w + c` per output channel; that equals
 * `conv(x, K * w) + (b * w + c)`, so each convolution gets kernel `K * w` and bias `b * w + c`
 * and the scale needs no layer of its own (and none that fine-tuning could break).
 *
 * @throws Error when a weight is missing, has the wrong shape, or is not one face-api's network
 *   has (a different model's manifest).
 */
export function setFaceApiWeights(model: tf.LayersModel, weights: tf.NamedTensorMap): void {
  const used = new Set<string>();
  for (const { layer: layerName, faceApiPrefix: p } of CONV_LAYERS) {
    const layer = model.getLayer(layerName);
    const filters = take(weights, `${p}/conv/filters`, used);
    const bias = take(weights, `${p}/conv/bias`, used);
    const scale = take(weights, `${p}/scale/weights`, used);
    const shift = take(weights, `${p}/scale/biases`, used);
    const [kernelShape, biasShape] = layer.getWeights().map((w) => w.shape);
    checkShape(`${p}/conv/filters`, filters.shape, kernelShape);
    for (
      const [name, t] of [["conv/bias", bias], ["scale/weights", scale], ["scale/biases", shift]]
    ) {
      checkShape(`${p}/${name}`, (t as tf.Tensor).shape, biasShape);
    }
    const folded = tf.tidy(() => [tf.mul(filters, scale), tf.add(tf.mul(bias, scale), shift)]);
    layer.setWeights(folded);
    tf.dispose(folded);
  }
  const fc = take(weights, "fc", used);
  const fcLayer = model.getLayer(FC_LAYER);
  checkShape("fc", fc.shape, fcLayer.getWeights()[0].shape);
  fcLayer.setWeights([fc]);

  const unused = Object.keys(weights).filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new Error(
      `The weights hold ${unused.length} tensors the backbone does not have ` +
        `("${unused.slice(0, 3).join('", "')}"): they are not face-api's face recognition weights`,
    );
  }
}

async function installedFaceApiVersion(): Promise<string> {
  const url = new URL("package.json", packageDir(FACE_API_PACKAGE, FACE_API_VERSION));
  return JSON.parse(await Deno.readTextFile(url)).version;
}

/**
 * Build the backbone and load face-api's pretrained weights from the installed npm package.
 *
 * @returns a model from `[n, 150, 150, 3]` RGB in 0..255 to `[n, 128]` descriptors equal (to
 *   float rounding) to face-api's `faceRecognitionNet`; dispose it with `model.dispose()`.
 * @throws Error when the package or its weight files are missing, or the installed face-api is
 *   not the release `BACKBONE_ID` names.
 *
 * @example The pretrained network, from the installed package
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/backend.ts";
 * import { loadBackbone } from "./weights.ts";
 *
 * await initBackend("wasm");
 * const model = await loadBackbone();
 * assert.deepEqual(model.outputs[0].shape, [null, 128]);
 * model.dispose();
 * ```
 */
export async function loadBackbone(): Promise<LayersModel> {
  const version = await installedFaceApiVersion();
  if (version !== FACE_API_VERSION) {
    throw new Error(
      `Installed ${FACE_API_PACKAGE} is version "${version}" but the backbone reproduces ` +
        `${FACE_API_VERSION}: pin ${FACE_API_PACKAGE}@${FACE_API_VERSION} in deno.json, or ` +
        "check the architecture against the new release and update FACE_API_VERSION",
    );
  }
  const weights = await readFaceApiWeights();
  const model = buildBackbone();
  try {
    setFaceApiWeights(model, weights);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(weights);
  }
  return model;
}
