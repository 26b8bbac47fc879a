/**
 * Turn face chips into descriptors with the backbone.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { LayersModel, Tensor2D, Tensor4D } from "../backend/tf_types.ts";
import { CHIP_SIZE, DESCRIPTOR_SIZE } from "./backbone.ts";

/**
 * Compute the 128-d descriptors of a batch of face chips.
 *
 * The chips go in as face-api's `computeFaceDescriptor` takes them (RGB, 0..255, exactly
 * 150x150 so nothing is resized); the model normalises them itself.
 *
 * @example
 * ```ts ignore
 * const model = await loadBackbone();
 * const descriptors = tf.tidy(() => embed(model, chips)); // [n, 128]
 * ```
 * @param model a backbone from `loadBackbone` or `buildBackbone`.
 * @param chips `[n, 150, 150, 3]` RGB in 0..255; int32 chips are cast to float32.
 * @returns `[n, 128]` descriptors; the caller disposes them (or calls this inside `tf.tidy`).
 * @throws RangeError when `chips` has another shape.
 */
export function embed(model: LayersModel, chips: Tensor4D): Tensor2D {
  const [, h, w, c] = chips.shape;
  if (chips.rank !== 4 || h !== CHIP_SIZE || w !== CHIP_SIZE || c !== 3) {
    throw new RangeError(
      `Invalid chip batch shape "[${chips.shape}]": expected [n, ${CHIP_SIZE}, ${CHIP_SIZE}, 3] ` +
        `RGB; crop and resize faces to ${CHIP_SIZE}x${CHIP_SIZE} first`,
    );
  }
  if (chips.shape[0] === 0) return tf.zeros([0, DESCRIPTOR_SIZE]);
  return tf.tidy(() => {
    const input = chips.dtype === "float32" ? chips : tf.cast(chips, "float32");
    return model.predict(input) as tf.Tensor2D;
  });
}
