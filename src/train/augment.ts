/**
 * On-the-fly augmentation of aligned face chips with tfjs ops, so that it runs wherever the
 * backend runs (GPU included): horizontal flip, small rotation, shift and scale, brightness,
 * contrast and gamma, slight blur and random erasing. Every random draw comes from a seeded
 * generator, so a run repeats exactly.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Random } from "../dataset/random.ts";

/** How hard to augment. */
export type AugmentLevel = "none" | "light" | "strong";

/** The levels, for messages and argument checks. */
export const AUGMENT_LEVELS: readonly AugmentLevel[] = ["none", "light", "strong"];

/** Ranges of the random changes; each is drawn uniformly in [-x, x] unless it is a probability. */
export interface AugmentRanges {
  /** Probability of a horizontal flip. */
  flip: number;
  /** Rotation in degrees. */
  rotate: number;
  /** Shift as a fraction of the chip side. */
  shift: number;
  /** Relative zoom. */
  scale: number;
  /** Added to values in 0..1. */
  brightness: number;
  /** Relative contrast change. */
  contrast: number;
  /** Relative gamma change. */
  gamma: number;
  /** Probability of a 3x3 blur. */
  blur: number;
  /** Probability of erasing a random rectangle (up to a quarter of the chip). */
  erase: number;
}

/** The ranges of each level. Chips are aligned already, so geometric changes stay small. */
export const AUGMENT_RANGES: Record<Exclude<AugmentLevel, "none">, AugmentRanges> = {
  light: {
    flip: 0.5,
    rotate: 8,
    shift: 0.04,
    scale: 0.05,
    brightness: 0.08,
    contrast: 0.1,
    gamma: 0.1,
    blur: 0.1,
    erase: 0,
  },
  strong: {
    flip: 0.5,
    rotate: 20,
    shift: 0.1,
    scale: 0.1,
    brightness: 0.15,
    contrast: 0.25,
    gamma: 0.25,
    blur: 0.3,
    erase: 0.3,
  },
};

/**
 * Augment a batch of chips `[n, size, size, 3]` (values 0..255).
 *
 * @returns a new float32 tensor of the same shape; the input is left alone.
 */
export function augmentChips(chips: tf.Tensor4D, level: AugmentLevel, random: Random): tf.Tensor4D {
  if (!AUGMENT_LEVELS.includes(level)) {
    throw new RangeError(
      `Unknown augmentation "${level}": choose one of ${AUGMENT_LEVELS.join(", ")}`,
    );
  }
  if (level === "none") return chips.toFloat();
  const r = AUGMENT_RANGES[level];
  const [n, h, w] = chips.shape;
  const uniform = (x: number) => (random() * 2 - 1) * x;
  return tf.tidy(() => {
    // Geometry: one bilinear resampling per chip, mapping each output pixel back into the input.
    const cx = (w - 1) / 2, cy = (h - 1) / 2;
    const matrices: number[] = [];
    for (let i = 0; i < n; i++) {
      const flip = random() < r.flip ? -1 : 1;
      const angle = (uniform(r.rotate) * Math.PI) / 180;
      const s = 1 + uniform(r.scale);
      const tx = uniform(r.shift) * w, ty = uniform(r.shift) * h;
      const cos = Math.cos(angle) / s, sin = Math.sin(angle) / s;
      const a0 = cos * flip, a1 = -sin, b0 = sin * flip, b1 = cos;
      matrices.push(
        a0,
        a1,
        cx + tx - (a0 * cx + a1 * cy),
        b0,
        b1,
        cy + ty - (b0 * cx + b1 * cy),
        0,
        0,
      );
    }
    // One chip per call: tfjs' CPU kernel of a batched transform fills every chip after the first
    // with the fill value (tfjs 4.22).
    const floats = chips.toFloat();
    let x = tf.concat(
      Array.from({ length: n }, (_, i) =>
        tf.image.transform(
          floats.slice([i, 0, 0, 0], [1, h, w, 3]),
          tf.tensor2d(matrices.slice(i * 8, i * 8 + 8), [1, 8]),
          "bilinear",
          "nearest",
        )),
      0,
    ) as tf.Tensor4D;

    // Photometry per chip: gamma, contrast around mid-grey, brightness.
    const perChip = (f: () => number) => tf.tensor4d(Array.from({ length: n }, f), [n, 1, 1, 1]);
    const gamma = perChip(() => 1 + uniform(r.gamma));
    const contrast = perChip(() => 1 + uniform(r.contrast));
    const brightness = perChip(() => uniform(r.brightness));
    let v = x.div(255).clipByValue(0, 1).pow(gamma);
    v = v.sub(0.5).mul(contrast).add(0.5).add(brightness);
    x = v.clipByValue(0, 1).mul(255) as tf.Tensor4D;

    // Slight blur for some chips.
    const blurMask = perChip(() => (random() < r.blur ? 1 : 0));
    const blurred = tf.avgPool(x, 3, 1, "same");
    x = x.mul(tf.scalar(1).sub(blurMask)).add(blurred.mul(blurMask)) as tf.Tensor4D;

    // Random erasing: a grey rectangle.
    if (r.erase > 0) {
      const mask = new Float32Array(n * h * w);
      for (let i = 0; i < n; i++) {
        if (random() >= r.erase) continue;
        const ew = Math.round(w * (0.15 + random() * 0.35)),
          eh = Math.round(h * (0.15 + random() * 0.35));
        const x0 = Math.floor(random() * (w - ew)), y0 = Math.floor(random() * (h - eh));
        for (let y = y0; y < y0 + eh; y++) {
          mask.fill(1, i * h * w + y * w + x0, i * h * w + y * w + x0 + ew);
        }
      }
      const m = tf.tensor4d(mask, [n, h, w, 1]);
      x = x.mul(tf.scalar(1).sub(m)).add(m.mul(127.5)) as tf.Tensor4D;
    }
    return x;
  });
}
