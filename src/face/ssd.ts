/**
 * SSD MobileNet v1 face detection on face-api's weights, with fused kernels: each convolution,
 * its (folded) batch normalisation and its ReLU6 are one `tf.fused` op, activations are freed
 * layer by layer, and the anchor boxes are decoded in JavaScript for the few confident ones only.
 * The arithmetic is face-api's (`ssdMobilenetv1/*.ts`); the test checks the scores against it.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Tensor3D } from "../backend/tf_types.ts";
import * as faceapi from "npm:@vladmandic/face-api@1.7.15/dist/face-api.node-wasm.js";
import type { RgbImage } from "../image/types.ts";
import { loadWeightMap } from "./weights.ts";

/** The detector's input side. */
export const SSD_INPUT = 512;

const BN_EPSILON = 0.0010000000474974513;

type T4 = tf.Tensor4D;
type T1 = tf.Tensor1D;

/** The parameters face-api keeps for its SsdMobilenetv1 (its `params`), as far as used here. */
export interface SsdParams {
  mobilenetv1: Record<string, {
    filters?: T4;
    batch_norm_offset?: T1;
    depthwise_conv?: {
      filters: T4;
      batch_norm_scale: T1;
      batch_norm_offset: T1;
      batch_norm_mean: T1;
      batch_norm_variance: T1;
    };
    pointwise_conv?: { filters: T4; batch_norm_offset: T1 };
  }>;
  prediction_layer: Record<string, {
    filters?: T4;
    batch_norm_offset?: T1;
    box_encoding_predictor?: { filters: T4; bias: T1 };
    class_predictor?: { filters: T4; bias: T1 };
  }>;
  output_layer: { extra_dim: tf.Tensor3D };
}

/** What the SSD finds: boxes `[ymin, xmin, ymax, xmax]` relative to the padded square, and scores. */
export interface SsdOutput {
  /** One box per anchor that scored at least the minimum. */
  boxes: number[][];
  /** The boxes' scores, 0..1. */
  scores: number[];
}

/** Something that runs the SSD: the network on this thread, or worker threads that hold it. */
export interface SsdRunner {
  /** Detect on an image tensor `[h, w, 3]` or decoded pixels (see {@linkcode Ssd.detect}). */
  detect(image: Tensor3D | RgbImage, minScore: number): Promise<SsdOutput>;
}

interface Conv {
  filter: T4;
  bias: T1;
}

/** SSD with folded weights, ready to run. */
export class Ssd implements SsdRunner {
  readonly #conv0: Conv;
  readonly #pairs: { depthwise: Conv; pointwise: Conv }[];
  readonly #extra: Conv[];
  readonly #boxes: Conv[];
  readonly #classes: Conv[];
  /** Anchors as [ymin, xmin, ymax, xmax] rows. */
  readonly #anchors: Float32Array;

  private constructor(
    conv0: Conv,
    pairs: { depthwise: Conv; pointwise: Conv }[],
    extra: Conv[],
    boxes: Conv[],
    classes: Conv[],
    anchors: Float32Array,
  ) {
    this.#conv0 = conv0;
    this.#pairs = pairs;
    this.#extra = extra;
    this.#boxes = boxes;
    this.#classes = classes;
    this.#anchors = anchors;
  }

  /** Load face-api's pretrained SSD MobileNet v1 weights from the installed package. */
  static async load(): Promise<Ssd> {
    const net = new faceapi.SsdMobilenetv1();
    // deno-lint-ignore no-explicit-any
    net.loadFromWeightMap(await loadWeightMap("ssd_mobilenetv1_model") as any);
    try {
      return await Ssd.fromFaceApi(net.params as unknown as SsdParams);
    } finally {
      net.dispose();
    }
  }

  /** Fold face-api's parameters into fused-kernel weights (the originals are left alone). */
  static async fromFaceApi(params: SsdParams): Promise<Ssd> {
    const m = params.mobilenetv1, p = params.prediction_layer;
    const pw = (c: { filters?: T4; batch_norm_offset?: T1 }): Conv => ({
      filter: tf.keep(c.filters!.clone()),
      bias: tf.keep(c.batch_norm_offset!.clone()),
    });
    const pairs = Array.from({ length: 13 }, (_, i) => {
      const d = m[`conv_${i + 1}`].depthwise_conv!;
      const depthwise = tf.tidy(() => {
        const scale = d.batch_norm_scale.div(d.batch_norm_variance.add(BN_EPSILON).sqrt());
        return {
          filter: tf.keep(d.filters.mul(scale.reshape([1, 1, -1, 1])) as T4),
          bias: tf.keep(d.batch_norm_offset.sub(d.batch_norm_mean.mul(scale)) as T1),
        };
      });
      return { depthwise, pointwise: pw(m[`conv_${i + 1}`].pointwise_conv!) };
    });
    const extra = Array.from({ length: 8 }, (_, i) => pw(p[`conv_${i}`]));
    const pred = (i: number, k: "box_encoding_predictor" | "class_predictor"): Conv => ({
      filter: tf.keep(p[`box_predictor_${i}`][k]!.filters.clone()),
      bias: tf.keep(p[`box_predictor_${i}`][k]!.bias.clone()),
    });
    const boxes = Array.from({ length: 6 }, (_, i) => pred(i, "box_encoding_predictor"));
    const classes = Array.from({ length: 6 }, (_, i) => pred(i, "class_predictor"));
    const anchors = await params.output_layer.extra_dim.data() as Float32Array;
    return new Ssd(pw(m.conv_0), pairs, extra, boxes, classes, anchors.slice());
  }

  /** Free the folded weights. */
  dispose(): void {
    const all = [
      this.#conv0,
      ...this.#pairs.flatMap((p) => [p.depthwise, p.pointwise]),
      ...this.#extra,
      ...this.#boxes,
      ...this.#classes,
    ];
    for (const c of all) tf.dispose([c.filter, c.bias]);
  }

  /**
   * Detect on one image, a tensor `[h, w, 3]` or decoded pixels (0..255). Like face-api, the image
   * is padded to a square at the bottom and right and resized to 512x512.
   *
   * @returns boxes `[ymin, xmin, ymax, xmax]` relative to the padded square, and their scores,
   *   for the anchors scoring at least `minScore`.
   */
  async detect(image: Tensor3D | RgbImage, minScore: number): Promise<SsdOutput> {
    const [boxT, classT] = this.#forward(
      image instanceof tf.Tensor ? inputFromTensor(image) : inputFromPixels(image),
    );
    const [enc, cls] = await Promise.all([boxT.data(), classT.data()]);
    tf.dispose([boxT, classT]);
    const boxes: number[][] = [];
    const scores: number[] = [];
    const a = this.#anchors;
    const n = cls.length / 3;
    for (let i = 0; i < n; i++) {
      const score = 1 / (1 + Math.exp(-cls[i * 3 + 1]));
      if (score < minScore) continue;
      const h = a[i * 4 + 2] - a[i * 4], w = a[i * 4 + 3] - a[i * 4 + 1];
      const cy = a[i * 4] + h / 2, cx = a[i * 4 + 1] + w / 2;
      const hh = (Math.exp(enc[i * 4 + 2] / 5) * h) / 2,
        hw = (Math.exp(enc[i * 4 + 3] / 5) * w) / 2;
      const y = (enc[i * 4] / 10) * h + cy, xc = (enc[i * 4 + 1] / 10) * w + cx;
      boxes.push([y - hh, xc - hw, y + hh, xc + hw]);
      scores.push(score);
    }
    return { boxes, scores };
  }

  /** The network, freeing each activation as soon as nothing needs it (consumes `x`). */
  #forward(x: T4): [tf.Tensor, tf.Tensor] {
    const conv = (input: T4, c: Conv, strides: number, activation: "relu6" | "linear") =>
      tf.fused.conv2d({
        x: input,
        filter: c.filter,
        strides,
        pad: "same",
        bias: c.bias,
        activation,
      });
    let conv11: T4 | undefined;
    let out = x;
    const next = (t: T4) => {
      if (out !== conv11) out.dispose();
      out = t;
    };
    next(conv(out, this.#conv0, 2, "relu6"));
    this.#pairs.forEach((pair, i) => {
      next(tf.fused.depthwiseConv2d({
        x: out,
        filter: pair.depthwise.filter,
        strides: [2, 4, 6, 12].includes(i + 1) ? 2 : 1,
        pad: "same",
        bias: pair.depthwise.bias,
        activation: "relu6",
      }));
      next(conv(out, pair.pointwise, 1, "relu6"));
      if (i + 1 === 11) conv11 = out;
    });
    const maps: T4[] = [conv11!, out];
    let y = out;
    for (let i = 0; i < 8; i++) {
      const z = conv(y, this.#extra[i], i % 2 === 1 ? 2 : 1, "relu6");
      if (!maps.includes(y)) y.dispose();
      y = z;
      if (i % 2 === 1) maps.push(y);
    }
    const result = tf.tidy(() => [
      tf.concat(maps.map((m, i) => conv(m, this.#boxes[i], 1, "linear").reshape([-1, 4])), 0),
      tf.concat(maps.map((m, i) => conv(m, this.#classes[i], 1, "linear").reshape([-1, 3])), 0),
    ]) as [tf.Tensor, tf.Tensor];
    tf.dispose(maps);
    return result;
  }
}

/** Resize a square batch `[1, side, side, 3]` of 0..255 values to the network's input (consumes it). */
function normalized(square: T4): T4 {
  const side = square.shape[1];
  const resized = side === SSD_INPUT
    ? square
    : tf.image.resizeBilinear(square, [SSD_INPUT, SSD_INPUT], false, false);
  if (resized !== square) square.dispose();
  const out = tf.tidy(() => resized.div(127.5).sub(1) as T4);
  resized.dispose();
  return out;
}

/** face-api's preprocessing of an image tensor: pad to a square at the bottom and right, resize. */
function inputFromTensor(image: Tensor3D): T4 {
  const square = tf.tidy(() => {
    const [h, w] = image.shape;
    const side = Math.max(h, w);
    let x = image.toFloat();
    if (h !== w) x = x.pad([[0, side - h], [0, side - w], [0, 0]]);
    return x.expandDims(0) as T4;
  });
  return normalized(square);
}

/**
 * The same preprocessing from pixels, done in JavaScript: bilinear sampling of the zero-padded
 * square (as `tf.image.resizeBilinear` without corner alignment or half-pixel
 * centres does) and the scaling to -1..1. The backend receives the 3 MB input and nothing
 * larger, whatever the view's size.
 */
function inputFromPixels(image: RgbImage): T4 {
  const { width: w, height: h, data } = image;
  const side = Math.max(w, h);
  const n = SSD_INPUT;
  // Byte offsets of each output column's and row's two source pixels (-1: padding), and weights.
  const cols = taps(side, n, w, 3);
  const rows = taps(side, n, h, w * 3);
  const out = new Float32Array(n * n * 3);
  // Separable: blend two source rows into `line`, then sample `line` at the output columns.
  const line = new Float32Array(w * 3 + 3); // one padding pixel of zeros at the end
  for (let oy = 0; oy < n; oy++) {
    const r0 = rows.lo[oy], r1 = rows.hi[oy], fy = rows.frac[oy];
    if (r0 < 0) line.fill(0);
    else if (r1 < 0) {
      for (let i = 0; i < w * 3; i++) line[i] = data[r0 + i] * (1 - fy);
    } else {
      for (let i = 0; i < w * 3; i++) line[i] = data[r0 + i] + (data[r1 + i] - data[r0 + i]) * fy;
    }
    let o = oy * n * 3;
    for (let ox = 0; ox < n; ox++) {
      const c0 = cols.lo[ox] < 0 ? w * 3 : cols.lo[ox];
      const c1 = cols.hi[ox] < 0 ? w * 3 : cols.hi[ox];
      const fx = cols.frac[ox];
      for (let c = 0; c < 3; c++) {
        const left = line[c0 + c];
        out[o++] = (left + (line[c1 + c] - left) * fx) / 127.5 - 1;
      }
    }
  }
  return tf.tensor4d(out, [1, n, n, 3]);
}

/**
 * For each of `n` outputs sampling `side` inputs, the offsets (index times `stride`; -1 beyond
 * `size`, in the padding) of the two inputs it blends and the weight of the second.
 */
function taps(side: number, n: number, size: number, stride: number) {
  const lo = new Int32Array(n), hi = new Int32Array(n), frac = new Float32Array(n);
  const ratio = side / n;
  for (let i = 0; i < n; i++) {
    const at = i * ratio;
    const a = Math.floor(at), b = Math.min(a + 1, side - 1);
    lo[i] = a < size ? a * stride : -1;
    hi[i] = b < size ? b * stride : -1;
    frac[i] = at - a;
  }
  return { lo, hi, frac };
}
