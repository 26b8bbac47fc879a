/**
 * The classifier head: a small network from a face embedding to one probability per person.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Sequential } from "../backend/tf_types.ts";

/** Load-time shape of the head. */
export interface HeadConfig {
  /** Size of the input embedding. */
  inputSize: number;
  /** Number of people. */
  classes: number;
  /** Width of a hidden ReLU layer; 0 gives a linear (softmax regression) head. */
  hidden?: number;
  /** Dropout before the output layer, 0..1. */
  dropout?: number;
  /** Seed for the initial weights. */
  seed?: number;
}

/** Defaults for the optional {@linkcode HeadConfig} fields. */
export const DEFAULT_HEAD: Required<Pick<HeadConfig, "hidden" | "dropout" | "seed">> = {
  hidden: 0,
  dropout: 0.2,
  seed: 42,
};

/**
 * Build an untrained head: `[n, inputSize]` -> softmax `[n, classes]`.
 *
 * @throws RangeError for fewer than two classes or a bad size.
 *
 * @example A head for three people
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { initBackend } from "../backend/backend.ts";
 * import { buildHead } from "./head.ts";
 *
 * await initBackend("cpu");
 * const head = buildHead({ inputSize: 128, classes: 3 });
 * const probabilities = head.predict(tf.ones([1, 128])) as tf.Tensor;
 * assert.deepEqual(probabilities.shape, [1, 3]);
 * assert.ok(Math.abs((await probabilities.sum().data())[0] - 1) < 1e-5);
 * probabilities.dispose();
 * head.dispose();
 * ```
 */
export function buildHead(config: HeadConfig): Sequential {
  const { inputSize, classes } = config;
  const { hidden, dropout, seed } = { ...DEFAULT_HEAD, ...definedOnly(config) };
  if (!(Number.isInteger(classes) && classes >= 2)) {
    throw new RangeError(
      `A classifier needs at least 2 people, got ${classes}; add a folder per person`,
    );
  }
  if (!(Number.isInteger(inputSize) && inputSize > 0)) {
    throw new RangeError(`Invalid embedding size "${inputSize}"`);
  }
  if (!(dropout >= 0 && dropout < 1)) {
    throw new RangeError(`Invalid dropout "${dropout}": use a number in [0, 1)`);
  }
  const model = tf.sequential({ name: "facefit_head" });
  model.add(tf.layers.inputLayer({ inputShape: [inputSize], name: "embedding" }));
  if (hidden > 0) {
    model.add(tf.layers.dense({
      units: hidden,
      activation: "relu",
      kernelInitializer: tf.initializers.heNormal({ seed }),
      name: "hidden",
    }));
  }
  if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, seed: seed + 1, name: "dropout" }));
  model.add(tf.layers.dense({
    units: classes,
    activation: "softmax",
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
    name: "probabilities",
  }));
  return model;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
