/**
 * The tfjs types in facefit's API, named here so that they are part of facefit's documented API.
 * They are the very types of `@tensorflow/tfjs` 4.22: hand facefit's models and tensors to tfjs,
 * and tfjs' to facefit, as they are (from the same tfjs instance: facefit's dependency).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** A tfjs layers model (`tf.LayersModel`), e.g. the embedding backbone or the classifier head. */
export type LayersModel = tf.LayersModel;
/** A tfjs sequential model (`tf.Sequential`), as `buildHead` returns. */
export type Sequential = tf.Sequential;
/** A rank-2 tensor (`tf.Tensor2D`), e.g. a batch of embeddings `[faces, 128]`. */
export type Tensor2D = tf.Tensor2D;
/** A rank-3 tensor (`tf.Tensor3D`), e.g. an RGB image `[height, width, 3]`. */
export type Tensor3D = tf.Tensor3D;
/** A rank-4 tensor (`tf.Tensor4D`), e.g. a batch of face chips `[faces, 150, 150, 3]`. */
export type Tensor4D = tf.Tensor4D;
/** What tfjs hands a training callback after each epoch (`tf.Logs`). */
export type Logs = tf.Logs;
/** tfjs' base class of training callbacks (`tf.Callback`). */
export type Callback = tf.Callback;
/** tfjs' base class of training callbacks (`tf.Callback`), to extend. */
export const Callback: abstract new () => Callback = tf.Callback;
