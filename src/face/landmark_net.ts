/**
 * The 68-point face landmark network on face-api's weights (`face_landmark_68_model`), run with
 * fused kernels. The arithmetic is face-api's `FaceLandmark68Net` (four dense blocks of separable
 * convolutions, a 7x7 average pool, one fully connected layer), with two costs of face-api's input
 * path taken out: it subtracts the mean colour by concatenating three filled tensors along the
 * channel axis (on the WASM backend a JavaScript loop, about a fifth of the network's time), and
 * pads to a square by concatenation; here the mean is a broadcast subtraction and the padding a
 * `pad`. Holding no face-api object, it also runs in the detector's worker threads. The test checks
 * its landmarks against face-api's.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Tensor3D } from "../backend/tf_types.ts";
import { loadWeightMap } from "./weights.ts";

/** The network's input side: every face is padded to a square and resized to this. */
export const LANDMARK_INPUT = 112;

/** The colour face-api's landmark network subtracts before dividing by 255. */
const MEAN_RGB = [122.782, 117.001, 104.298];

type T4 = tf.Tensor4D;
type T1 = tf.Tensor1D;

/** A separable convolution: depthwise 3x3, pointwise 1x1, then a bias. */
interface SeparableConv {
  depthwise: T4;
  pointwise: T4;
  bias: T1;
}

/** Four convolutions with dense (summed) skips; the first block starts with a plain one. */
interface DenseBlock {
  conv0: SeparableConv | { filter: T4; bias: T1 };
  rest: [SeparableConv, SeparableConv, SeparableConv];
}

/** Pixels of faces for the network: each `[h, w, 3]` (0..255), any size. */
export type LandmarkInput = readonly Tensor3D[];

/**
 * The 68-point landmark network, ready to run.
 */
export class LandmarkNet {
  readonly #blocks: DenseBlock[];
  readonly #fc: { weights: tf.Tensor2D; bias: T1 };

  private constructor(blocks: DenseBlock[], fc: { weights: tf.Tensor2D; bias: T1 }) {
    this.#blocks = blocks;
    this.#fc = fc;
  }

  /** Load face-api's pretrained landmark weights from the installed package. */
  static async load(): Promise<LandmarkNet> {
    return LandmarkNet.fromWeightMap(await loadWeightMap("face_landmark_68_model"));
  }

  /**
   * Build the network from a weight map with face-api's names (`dense0/conv0/filters`, ...,
   * `fc/weights`); the map's tensors become the network's (dispose them with it).
   *
   * @throws Error naming the first missing weight.
   */
  static fromWeightMap(map: tf.NamedTensorMap): LandmarkNet {
    const get = <T extends tf.Tensor>(name: string): T => {
      const t = map[name];
      if (!t) {
        throw new Error(`The landmark weights lack "${name}"; reinstall @vladmandic/face-api`);
      }
      return t as T;
    };
    const separable = (path: string): SeparableConv => ({
      depthwise: get(`${path}/depthwise_filter`),
      pointwise: get(`${path}/pointwise_filter`),
      bias: get(`${path}/bias`),
    });
    const blocks = [0, 1, 2, 3].map((b): DenseBlock => ({
      conv0: b === 0
        ? { filter: get(`dense0/conv0/filters`), bias: get(`dense0/conv0/bias`) }
        : separable(`dense${b}/conv0`),
      rest: [1, 2, 3].map((c) => separable(`dense${b}/conv${c}`)) as DenseBlock["rest"],
    }));
    return new LandmarkNet(blocks, { weights: get("fc/weights"), bias: get("fc/bias") });
  }

  /**
   * Landmarks of faces, each relative to its own picture: for face `i`, point `k` is at
   * `(out[136 i + 2 k] * width, out[136 i + 2 k + 1] * height)` of `faces[i]`.
   */
  async run(faces: LandmarkInput): Promise<Float32Array> {
    if (faces.length === 0) return new Float32Array(0);
    const out = tf.tidy(() => this.#forward(tf.concat(faces.map(toInput))));
    try {
      return relativeToFace(await out.data() as Float32Array, faces.map((f) => f.shape));
    } finally {
      out.dispose();
    }
  }

  /** Free the weights. */
  dispose(): void {
    for (const b of this.#blocks) {
      for (const c of [b.conv0, ...b.rest]) Object.values(c).forEach((t) => t.dispose());
    }
    this.#fc.weights.dispose();
    this.#fc.bias.dispose();
  }

  /** `[n, 112, 112, 3]` normalised input to `[n, 136]` outputs relative to the padded square. */
  #forward(input: T4): tf.Tensor2D {
    let x = input;
    for (const block of this.#blocks) x = denseBlock(x, block);
    const pooled = tf.avgPool(x, [7, 7], [2, 2], "valid");
    const flat = tf.reshape(pooled, [input.shape[0], -1]) as tf.Tensor2D;
    return tf.add(tf.matMul(flat, this.#fc.weights), this.#fc.bias);
  }
}

/** One face to `[1, 112, 112, 3]`: padded to a centred square with black, resized, normalised. */
function toInput(face: Tensor3D): T4 {
  const [h, w] = face.shape;
  const gap = Math.abs(h - w), after = Math.round(gap / 2), before = gap - after;
  const padding: [number, number][] = h > w
    ? [[0, 0], [0, 0], [before, after], [0, 0]]
    : [[0, 0], [before, after], [0, 0], [0, 0]];
  let x = tf.expandDims(tf.cast(face, "float32"), 0) as T4;
  if (gap > 0) x = tf.pad(x, padding);
  if (x.shape[1] !== LANDMARK_INPUT || x.shape[2] !== LANDMARK_INPUT) {
    x = tf.image.resizeBilinear(x, [LANDMARK_INPUT, LANDMARK_INPUT], false, false);
  }
  return tf.div(tf.sub(x, tf.tensor1d(MEAN_RGB)), 255);
}

/** face-api's `denseBlock4`, with each convolution's bias (and ReLU, where it has one) fused. */
function denseBlock(x: T4, block: DenseBlock): T4 {
  const c0 = block.conv0;
  const out1 = "filter" in c0
    ? tf.fused.conv2d({
      x,
      filter: c0.filter,
      strides: 2,
      pad: "same",
      bias: c0.bias,
      activation: "relu",
    })
    : separable(x, c0, 2, "relu");
  const [c1, c2, c3] = block.rest;
  const out2 = separable(out1, c1, 1);
  const in3 = tf.relu(tf.add(out1, out2)) as T4;
  const out3 = separable(in3, c2, 1);
  const in4 = tf.relu(tf.add(out1, tf.add(out2, out3))) as T4;
  const out4 = separable(in4, c3, 1);
  return tf.relu(tf.add(out1, tf.add(out2, tf.add(out3, out4)))) as T4;
}

function separable(x: T4, c: SeparableConv, strides: 1 | 2, activation?: "relu"): T4 {
  const depthwise = tf.depthwiseConv2d(x, c.depthwise, strides, "same");
  return tf.fused.conv2d({
    x: depthwise,
    filter: c.pointwise,
    strides: 1,
    pad: "valid",
    bias: c.bias,
    activation,
  });
}

/**
 * face-api's `postProcess`: outputs relative to the padded square, to outputs relative to each
 * face's own width and height.
 */
function relativeToFace(out: Float32Array, shapes: readonly number[][]): Float32Array {
  const result = new Float32Array(out.length);
  shapes.forEach(([h, w], i) => {
    const f = LANDMARK_INPUT / Math.max(h, w);
    const sw = w * f, sh = h * f;
    const dx = sw < sh ? Math.abs(sw - sh) / 2 : 0, dy = sh < sw ? Math.abs(sw - sh) / 2 : 0;
    for (let k = 0; k < 68; k++) {
      const j = i * 136 + 2 * k;
      result[j] = (out[j] * LANDMARK_INPUT - dx) / sw;
      result[j + 1] = (out[j + 1] * LANDMARK_INPUT - dy) / sh;
    }
  });
  return result;
}
