/**
 * The pretrained face descriptor backbone: face-api's `faceRecognitionNet` (dlib's ResNet, 128-d
 * descriptors of 150x150 RGB chips) as a fine-tunable `tf.LayersModel`.
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { initBackend } from "../backend/backend.ts";
 * import { embed, loadBackbone, setTrainableStages } from "./mod.ts";
 *
 * await initBackend("wasm");
 * const model = await loadBackbone();
 * const chips = tf.zeros<tf.Rank.R4>([2, 150, 150, 3]); // RGB in 0..255
 * const descriptors = tf.tidy(() => embed(model, chips)); // [2, 128]
 * setTrainableStages(model, 1); // fine-tune stage256 and the fc only
 * tf.dispose([chips, descriptors]);
 * model.dispose();
 * ```
 *
 * @module
 */
export {
  buildBackbone,
  CHIP_SIZE,
  DESCRIPTOR_SIZE,
  setTrainableStages,
  STAGES,
} from "./backbone.ts";
export { BACKBONE_ID, loadBackbone } from "./weights.ts";
export { embed } from "./embed.ts";
