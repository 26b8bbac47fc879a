/**
 * Training callbacks in the Keras style: early stopping that restores the best weights, learning
 * rate reduction on a plateau, and an epoch reporter for progress output.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Callback, type Logs } from "../backend/tf_types.ts";

/** The figures of one epoch, as tfjs reports them. */
export type EpochLogs = Record<string, number>;

/**
 * tfjs hands callbacks the epoch's figures as scalar tensors that it disposes itself afterwards;
 * read them into plain numbers without touching the original object.
 */
export async function readLogs(logs?: tf.Logs): Promise<EpochLogs> {
  const out: EpochLogs = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    const v = value as unknown;
    if (typeof v === "number") out[key] = v;
    else if (v instanceof tf.Tensor) out[key] = (await v.data())[0];
  }
  return out;
}

/**
 * Read the epoch's figures and put them back into `logs` as plain numbers, disposing the scalar
 * tensors. tfjs's `History` (which runs after every callback passed to fit) keeps whatever `logs`
 * holds until the fit ends: as tensors, a long fit would hold four more every epoch.
 */
export async function settleLogs(logs?: tf.Logs): Promise<EpochLogs> {
  const out = await readLogs(logs);
  for (const [key, value] of Object.entries(logs ?? {})) {
    if ((value as unknown) instanceof tf.Tensor) {
      (value as unknown as tf.Tensor).dispose();
      logs![key] = out[key];
    }
  }
  return out;
}

/** Options shared by the monitoring callbacks. */
export interface MonitorOptions {
  /** The log entry to watch; lower is better. */
  monitor?: string;
  /** Epochs without improvement before acting. */
  patience?: number;
  /** Smallest decrease that counts as an improvement. */
  minDelta?: number;
}

/**
 * Stop when the monitored value has not improved for `patience` epochs, then put back the weights
 * of the best epoch (tfjs' own `earlyStopping` does not restore them).
 *
 * @example Stop a tfjs fit early and keep the best weights
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { initBackend } from "../backend/backend.ts";
 * import { EarlyStopping } from "./callbacks.ts";
 *
 * await initBackend("cpu");
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * model.compile({ optimizer: tf.train.sgd(0), loss: "meanSquaredError" }); // learns nothing
 * const stop = new EarlyStopping({ monitor: "loss", patience: 2 });
 * const xs = tf.ones([4, 1]), ys = tf.zeros([4, 1]);
 * const history = await model.fit(xs, ys, { epochs: 50, callbacks: [stop], verbose: 0 });
 * assert.equal(history.epoch.length, 3); // the first epoch, then two without improvement
 * tf.dispose([xs, ys]);
 * model.dispose();
 * ```
 */
export class EarlyStopping extends Callback {
  /** The log entry watched; lower is better. */
  readonly monitor: string;
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /** Smallest decrease that counts as an improvement. */
  readonly minDelta: number;
  /** The epoch (0-based) whose weights were restored, or -1. */
  bestEpoch: number = -1;
  /** The best monitored value so far. */
  best: number = Infinity;
  #wait = 0;
  #bestWeights: tf.Tensor[] | undefined;

  /** Watch `options.monitor` (default val_loss) with a patience of 10 epochs unless told otherwise. */
  constructor(options: MonitorOptions = {}) {
    super();
    this.monitor = options.monitor ?? "val_loss";
    this.patience = options.patience ?? 10;
    this.minDelta = options.minDelta ?? 1e-4;
  }

  /** Forget the previous run's best. */
  override onTrainBegin(): Promise<void> {
    this.best = Infinity;
    this.bestEpoch = -1;
    this.#wait = 0;
    this.#dropBest();
    return Promise.resolve();
  }

  /** Keep the weights of a new best epoch; stop after `patience` epochs without one. */
  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const value = (await readLogs(logs))[this.monitor];
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    if (value < this.best - this.minDelta) {
      this.best = value;
      this.bestEpoch = epoch;
      this.#wait = 0;
      this.#dropBest();
      this.#bestWeights = this.model.getWeights().map((w) => tf.keep(w.clone()));
    } else if (++this.#wait >= this.patience) {
      this.model.stopTraining = true;
    }
  }

  /** Put back the best epoch's weights. */
  override onTrainEnd(): Promise<void> {
    if (this.#bestWeights) this.model.setWeights(this.#bestWeights);
    this.#dropBest();
    return Promise.resolve();
  }

  #dropBest(): void {
    this.#bestWeights?.forEach((t) => t.dispose());
    this.#bestWeights = undefined;
  }
}

/** Options of {@linkcode ReduceLROnPlateau}. */
export interface ReduceLROptions extends MonitorOptions {
  /** Multiply the learning rate by this on a plateau. */
  factor?: number;
  /** Never go below this learning rate. */
  minLearningRate?: number;
}

/**
 * Multiply the optimizer's learning rate by `factor` when the monitored value stalls.
 *
 * @example Lower the learning rate when the loss stalls
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { initBackend } from "../backend/backend.ts";
 * import { ReduceLROnPlateau } from "./callbacks.ts";
 *
 * await initBackend("cpu");
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * const optimizer = tf.train.adam(0.01);
 * model.compile({ optimizer, loss: "meanSquaredError" });
 * const xs = tf.ones([4, 1]), ys = tf.zeros([4, 1]);
 * const reduce = new ReduceLROnPlateau({ monitor: "loss", patience: 1, minDelta: 10 }); // nothing counts
 * await model.fit(xs, ys, { epochs: 3, callbacks: [reduce], verbose: 0 });
 * assert.ok((optimizer as unknown as { learningRate: number }).learningRate < 0.01);
 * tf.dispose([xs, ys]);
 * model.dispose();
 * ```
 */
export class ReduceLROnPlateau extends Callback {
  /** The log entry watched; lower is better. */
  readonly monitor: string;
  /** Epochs without improvement before lowering the learning rate. */
  readonly patience: number;
  /** Smallest decrease that counts as an improvement. */
  readonly minDelta: number;
  /** The learning rate is multiplied by this on a plateau. */
  readonly factor: number;
  /** The learning rate never goes below this. */
  readonly minLearningRate: number;
  #best = Infinity;
  #wait = 0;

  /**
   * Halve the learning rate after 5 stalled epochs unless told otherwise.
   * @throws RangeError when `factor` is not between 0 and 1.
   */
  constructor(options: ReduceLROptions = {}) {
    super();
    this.monitor = options.monitor ?? "val_loss";
    this.patience = options.patience ?? 5;
    this.minDelta = options.minDelta ?? 1e-4;
    this.factor = options.factor ?? 0.5;
    this.minLearningRate = options.minLearningRate ?? 1e-6;
    if (!(this.factor > 0 && this.factor < 1)) {
      throw new RangeError(`Invalid factor "${this.factor}": use a number between 0 and 1`);
    }
  }

  /** Forget the previous run's best. */
  override onTrainBegin(): Promise<void> {
    this.#best = Infinity;
    this.#wait = 0;
    return Promise.resolve();
  }

  /** Lower the learning rate after `patience` epochs without improvement; adds `lr` to the logs. */
  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    const value = (await readLogs(logs))[this.monitor];
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    if (value < this.#best - this.minDelta) {
      this.#best = value;
      this.#wait = 0;
    } else if (++this.#wait >= this.patience) {
      const lr = learningRate(this.model.optimizer);
      setLearningRate(this.model.optimizer, Math.max(this.minLearningRate, lr * this.factor));
      this.#wait = 0;
    }
  }
}

/** The learning rate of a tfjs optimizer (every built-in one keeps it in `learningRate`). */
export function learningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Change the learning rate of a tfjs optimizer in place; the next step uses it. */
export function setLearningRate(optimizer: tf.Optimizer, value: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = value;
}

/** Calls a plain function after every epoch, with the epoch's duration as `seconds`: how progress reaches the CLI. */
export class EpochReporter extends tf.Callback {
  readonly #report: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  #started = 0;

  /** @param report called (and awaited) after every epoch; training waits for it. */
  constructor(report: (epoch: number, logs: EpochLogs) => void | Promise<void>) {
    super();
    this.#report = report;
  }

  override onEpochBegin(): Promise<void> {
    this.#started = performance.now();
    return Promise.resolve();
  }

  /** Report the epoch; its figures become plain numbers in `logs` (see {@linkcode settleLogs}). */
  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    await this.#report(epoch, {
      ...(await settleLogs(logs)),
      lr: learningRate(this.model.optimizer),
      seconds: Math.round(performance.now() - this.#started) / 1000,
    });
  }
}
