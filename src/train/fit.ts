/**
 * Fit a classifier on labelled feature vectors with `model.fitDataset`: seeded shuffling,
 * class weights for imbalance, early stopping with the best weights restored, and the learning
 * rate reduced on a plateau.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { seededRandom, shuffled } from "../dataset/random.ts";
import { EarlyStopping, type EpochLogs, EpochReporter, ReduceLROnPlateau } from "./callbacks.ts";

/** Labelled examples: one feature vector and one class index each. */
export interface Examples {
  x: Float32Array[];
  y: number[];
}

/** Per-call fit options. */
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Epochs without val_loss improvement before stopping. */
  patience?: number;
  /** Seed of the per-epoch shuffles. */
  seed?: number;
  /** Weight each class by the inverse of its frequency. */
  balanceClasses?: boolean;
  /** Called after every epoch with loss, acc, val_loss, val_acc, lr. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
  /** Awaited after every epoch, e.g. to write a checkpoint. */
  afterEpoch?: (epoch: number, logs: EpochLogs) => Promise<void>;
  /** Start counting epochs here (when resuming); `epochs` stays the last epoch's number. */
  initialEpoch?: number;
}

/** Defaults for {@linkcode FitOptions}. */
export const DEFAULT_FIT: Required<
  Omit<FitOptions, "onEpochEnd" | "afterEpoch" | "initialEpoch">
> = {
  epochs: 300,
  batchSize: 32,
  learningRate: 1e-2,
  patience: 25,
  seed: 42,
  balanceClasses: true,
};

/** What a fit did. */
export interface FitResult {
  /** Per-epoch logs. */
  history: EpochLogs[];
  /** The epoch whose weights were kept (0-based). */
  bestEpoch: number;
  epochsRun: number;
}

/**
 * Compile and fit `model` (softmax output) on `train`, monitoring `val`.
 *
 * @throws RangeError when there is nothing to train on or the sets do not match.
 */
export async function fitClassifier(
  model: tf.LayersModel,
  data: { train: Examples; val: Examples; classes: number; negatives?: Float32Array[] },
  options: FitOptions = {},
): Promise<FitResult> {
  const { train, val, classes } = data;
  if (train.x.length === 0) throw new RangeError("No training examples: every photo was skipped");
  if (train.x.length !== train.y.length || val.x.length !== val.y.length) {
    throw new RangeError("Features and labels differ in count");
  }
  const negatives = data.negatives ?? [];
  const rows = [...train.x, ...negatives];
  const xTrain = tf.tensor2d(flatten(rows), [rows.length, rows[0].length]);
  const xVal = val.x.length > 0
    ? tf.tensor2d(flatten(val.x), [val.x.length, val.x[0].length])
    : undefined;
  try {
    return await fitBatches(model, {
      trainLabels: [...train.y, ...negatives.map(() => NEGATIVE)],
      batchInputs: (_rows, idx) => tf.gather(xTrain, idx),
      val: xVal ? { x: xVal, y: val.y } : undefined,
      classes,
    }, options);
  } finally {
    xTrain.dispose();
    xVal?.dispose();
  }
}

/**
 * The label of a stranger (a face from `_unknown/`): trained towards equal probabilities for
 * everyone, so the head is unsure about strangers without them becoming a class.
 */
export const NEGATIVE = -1;

/** Where {@linkcode fitBatches} gets its data. */
export interface BatchSource {
  /** Class of every training example, or {@linkcode NEGATIVE}. */
  trainLabels: readonly number[];
  /** The model inputs of the examples with these indices (a fresh tensor; fit disposes it). */
  batchInputs: (rows: number[], indices: tf.Tensor1D) => tf.Tensor;
  /** Validation inputs (kept by the caller) and classes. */
  val?: { x: tf.Tensor; y: readonly number[] };
  classes: number;
}

/**
 * The fit loop shared by the head and the fine-tuning phase: compile with Adam, seeded
 * per-epoch shuffles, batches from `source`, class weights, early stopping with the best weights
 * restored and the learning rate reduced on a plateau. The optimizer is disposed afterwards.
 */
export async function fitBatches(
  model: tf.LayersModel,
  source: BatchSource,
  options: FitOptions = {},
): Promise<FitResult> {
  const opts = { ...DEFAULT_FIT, ...options };
  const { trainLabels, classes, val } = source;
  const optimizer = tf.train.adam(opts.learningRate);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const yTrain = tf.tensor2d(targets(trainLabels, classes), [trainLabels.length, classes]);
  const yVal = val && val.y.length > 0
    ? tf.tidy(() => tf.oneHot(tf.tensor1d([...val.y], "int32"), classes))
    : undefined;
  const random = seededRandom(opts.seed);
  const indices = trainLabels.map((_, i) => i);
  const batchSize = Math.min(opts.batchSize, indices.length);
  const batches = Math.ceil(indices.length / batchSize);
  const dataset = tf.data.generator(function* () {
    const order = shuffled(indices, random);
    for (let b = 0; b < batches; b++) {
      const rows = order.slice(b * batchSize, (b + 1) * batchSize);
      const idx = tf.tensor1d(rows, "int32");
      const batch = { xs: source.batchInputs(rows, idx), ys: tf.gather(yTrain, idx) };
      idx.dispose();
      yield batch;
    }
  });
  const history: EpochLogs[] = [];
  const monitor = yVal ? "val_loss" : "loss";
  const stopper = new EarlyStopping({ monitor, patience: opts.patience });
  const callbacks: tf.Callback[] = [
    new ReduceLROnPlateau({ monitor, patience: Math.max(2, Math.floor(opts.patience / 3)) }),
    stopper,
    new EpochReporter(async (epoch, logs) => {
      history.push(logs);
      opts.onEpochEnd?.(epoch, logs);
      await opts.afterEpoch?.(epoch, logs);
      await letEventsIn();
    }),
  ];
  try {
    await model.fitDataset(dataset, {
      epochs: opts.epochs,
      initialEpoch: opts.initialEpoch,
      validationData: yVal ? [val!.x, yVal] : undefined,
      classWeight: opts.balanceClasses ? inverseFrequency(trainLabels, classes) : undefined,
      callbacks,
      verbose: 0,
    });
  } finally {
    tf.dispose([yTrain, yVal].filter((t): t is tf.Tensor => t !== undefined));
    // The optimizer's moment estimates are only needed while fitting.
    optimizer.dispose();
  }
  return { history, bestEpoch: stopper.bestEpoch, epochsRun: history.length };
}

let lastTurn = 0;

/**
 * Give the event loop a turn, at most every 50 ms. tfjs's fit loop only awaits promises, so
 * without it signal handlers (Ctrl-C), timers and other tasks would wait for the whole fit.
 */
async function letEventsIn(): Promise<void> {
  if (performance.now() - lastTurn < 50) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  lastTurn = performance.now();
}

/**
 * Class weights `n / (classes * count)` over the people's examples, so every class weighs the
 * same in the loss. tfjs weighs a row by the class of its largest target, so a stranger
 * ({@linkcode NEGATIVE}) weighs as much as an example of the first class.
 */
export function inverseFrequency(
  labels: readonly number[],
  classes: number,
): Record<number, number> {
  const known = labels.filter((y) => y !== NEGATIVE);
  const counts = new Array(classes).fill(0);
  for (const y of known) counts[y]++;
  const weights: Record<number, number> = {};
  counts.forEach((c, k) => weights[k] = c > 0 ? known.length / (classes * c) : 0);
  return weights;
}

/** One-hot rows, and equal probabilities for a {@linkcode NEGATIVE}. */
function targets(labels: readonly number[], classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((y, i) => {
    if (y === NEGATIVE) out.fill(1 / classes, i * classes, (i + 1) * classes);
    else out[i * classes + y] = 1;
  });
  return out;
}

function flatten(rows: Float32Array[]): Float32Array {
  const d = rows[0].length;
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(r, i * d));
  return out;
}
