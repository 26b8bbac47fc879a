/**
 * The second phase of transfer learning: unfreeze the last residual stages of the pretrained
 * backbone and train them together with the head at a low learning rate, on augmented chips.
 *
 * The frozen bottom of the backbone runs in inference mode on each (augmented) batch; with
 * `augment: "none"` its output is computed once per chip and reused every epoch, so an epoch costs
 * only the unfrozen top.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { seededRandom } from "../dataset/random.ts";
import { CHIP_SIZE } from "../embed/backbone.ts";
import { setTrainableStages } from "../embed/backbone.ts";
import { CHIP_BYTES } from "../embed/photo.ts";
import { splitBackbone } from "../embed/split.ts";
import { augmentChips, type AugmentLevel } from "./augment.ts";
import type { EpochLogs } from "./callbacks.ts";
import { fitBatches, type FitResult } from "./fit.ts";

/** Aligned chips (`CHIP_BYTES` each, RGB 0..255) and their classes. */
export interface ChipSet {
  chips: Uint8Array;
  y: number[];
}

/** Options of the fine-tuning phase. */
export interface FineTuneOptions {
  /** How many residual stages to unfreeze, counted from the output (1..5). */
  stages: number;
  learningRate?: number;
  epochs?: number;
  batchSize?: number;
  patience?: number;
  augment?: AugmentLevel;
  seed?: number;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
  /** Awaited after every epoch, e.g. to write a checkpoint. */
  afterEpoch?: (epoch: number, logs: EpochLogs) => Promise<void>;
  /** Epochs already done (when resuming). */
  initialEpoch?: number;
}

/** Defaults of {@linkcode FineTuneOptions}. */
export const DEFAULT_FINE_TUNE = {
  learningRate: 1e-4,
  epochs: 15,
  batchSize: 16,
  patience: 4,
  augment: "light" as AugmentLevel,
  seed: 42,
};

/** Scales each row to unit length, as the head's inputs were during the first phase. */
class L2Normalize extends tf.layers.Layer {
  static className = "FacefitL2Normalize";
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return x.div(tf.norm(x, 2, -1, true).maximum(1e-12));
    });
  }
}

/**
 * Fine-tune `backbone` (in place) and `head` (in place) on chips.
 *
 * @returns the fit history of this phase.
 * @throws RangeError for a bad stage count or empty data.
 */
export async function fineTune(
  backbone: tf.LayersModel,
  head: tf.LayersModel,
  data: { train: ChipSet; val: ChipSet; classes: number },
  options: FineTuneOptions,
): Promise<FitResult> {
  const opts = { ...DEFAULT_FINE_TUNE, ...definedOnly(options), stages: options.stages };
  const nTrain = data.train.chips.length / CHIP_BYTES;
  if (nTrain === 0 || nTrain !== data.train.y.length) {
    throw new RangeError(
      `Fine-tuning needs chips and labels of equal count, got ${nTrain} and ${data.train.y.length}`,
    );
  }
  setTrainableStages(backbone, opts.stages);
  const { bottom, top } = splitBackbone(backbone, opts.stages);
  const features = tf.input({ shape: (bottom.outputs[0].shape as number[]).slice(1) });
  const embedding = top.apply(features) as tf.SymbolicTensor;
  const normalized = new L2Normalize({ name: "l2_normalize" }).apply(
    embedding,
  ) as tf.SymbolicTensor;
  const model = tf.model({
    name: "fine_tune",
    inputs: features,
    outputs: head.apply(normalized) as tf.SymbolicTensor,
  });

  const chipsOf = (set: Uint8Array, rows: Int32Array | number[]) => {
    const out = new Uint8Array(rows.length * CHIP_BYTES);
    Array.from(rows).forEach((r, i) =>
      out.set(set.subarray(r * CHIP_BYTES, (r + 1) * CHIP_BYTES), i * CHIP_BYTES)
    );
    return tf.tensor4d(out, [rows.length, CHIP_SIZE, CHIP_SIZE, 3], "int32");
  };
  const bottomOf = (chips: tf.Tensor4D) => bottom.predict(chips, { batchSize: 32 }) as tf.Tensor;
  const nVal = data.val.chips.length / CHIP_BYTES;
  const valFeatures = nVal > 0
    ? tf.tidy(() => bottomOf(chipsOf(data.val.chips, [...Array(nVal).keys()]).toFloat()))
    : undefined;
  // Without augmentation the frozen bottom's output never changes: compute it once.
  const cachedTrain = opts.augment === "none"
    ? tf.tidy(() => bottomOf(chipsOf(data.train.chips, [...Array(nTrain).keys()]).toFloat()))
    : undefined;
  const augmentRandom = seededRandom(opts.seed + 1);
  try {
    return await fitBatches(model, {
      trainLabels: data.train.y,
      batchInputs: (rows, idx) =>
        cachedTrain
          ? tf.gather(cachedTrain, idx)
          : tf.tidy(() =>
            bottomOf(augmentChips(chipsOf(data.train.chips, rows), opts.augment, augmentRandom))
          ),
      val: valFeatures ? { x: valFeatures, y: data.val.y } : undefined,
      classes: data.classes,
    }, {
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      learningRate: opts.learningRate,
      patience: opts.patience,
      seed: opts.seed,
      onEpochEnd: opts.onEpochEnd,
      afterEpoch: opts.afterEpoch,
      initialEpoch: opts.initialEpoch,
    });
  } finally {
    valFeatures?.dispose();
    cachedTrain?.dispose();
    setTrainableStages(backbone, 0);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
