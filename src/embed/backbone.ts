/**
 * The architecture of face-api's `faceRecognitionNet` (dlib's ResNet-34-like 128-d face
 * descriptor) rebuilt as a `tf.LayersModel` from standard layers only, so that it can be saved and
 * reloaded with plain `tf.loadLayersModel` and its top residual stages fine-tuned with `model.fit`.
 *
 * Mapping from face-api (`src/faceRecognitionNet/*.ts` of @vladmandic/face-api 1.7.15):
 *
 * - Input normalisation `(x - meanRgb) / 255` is the first layer, `input_norm`: a frozen 1x1
 *   depthwise convolution with kernel `1/255` and bias `-meanRgb/255`, so the model takes RGB in
 *   0..255 like face-api's `computeFaceDescriptor` (and a fine-tuning loop feeds raw chips).
 * - face-api's conv layer is `conv2d + bias`, then a per-channel scale `y * weights + biases`.
 *   The scale is folded into the convolution (see `weights.ts`), so each one is a plain `Conv2D`
 *   with bias; a ReLU, when face-api applies one, is the convolution's activation.
 * - `residual`: conv1 (3x3 same, ReLU), conv2 (3x3 same), add the input, ReLU.
 * - `residualDown`: conv1 (3x3 stride 2 *valid*, ReLU), conv2 (3x3 same). The shortcut is a 2x2
 *   stride 2 average pool whose channels are doubled with zeros appended after the real ones;
 *   when the pooled size is larger than the conv branch (odd sizes: 8 -> conv 3 vs pool 4, and
 *   4 -> 1 vs 2), face-api appends one row of zeros at the bottom and one column at the right of
 *   the conv branch, which is `ZeroPadding2D([[0, 1], [0, 1]])` here.
 * - Channel zero-padding is `Permute([3, 2, 1])`, `ZeroPadding2D` on what is now the first
 *   spatial axis, and `Permute([3, 2, 1])` back: exact, parameter-free and differentiable, where a
 *   frozen `[I; 0]` 1x1 convolution would add 43k parameters and multiply-adds by zero.
 * - The stem is conv32_down (7x7 stride 2 valid, ReLU) and a 3x3 stride 2 valid max pool; the
 *   head is the mean over the spatial axes (`GlobalAveragePooling2D`) and `fc`, a 256 -> 128
 *   matrix product without bias (`Dense` with `useBias: false`).
 *
 * Spatial sizes for a 150x150 chip: 72 (stem conv), 35 (max pool, stage32), 17 (stage64),
 * 8 (stage128), 4 (conv256_down), 2 (conv256_down_out), then 128 descriptor values.
 *
 * Layer names are `<stage>.<face-api name>[.<part>]`, e.g. `stage64.conv64_down.conv1`, so that
 * both the stage (for freezing) and the face-api weights (for loading) can be read off a name.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { LayersModel } from "../backend/tf_types.ts";

/** Height and width of the RGB face chips the backbone takes. */
export const CHIP_SIZE = 150;

/** Length of the descriptor the backbone returns per chip. */
export const DESCRIPTOR_SIZE = 128;

/** face-api's per-channel mean, subtracted before dividing by 255. */
export const MEAN_RGB: readonly [number, number, number] = [122.782, 117.001, 104.298];

/** The residual stages from input to output; `setTrainableStages` unfreezes them from the end. */
export const STAGES: readonly string[] = ["stem", "stage32", "stage64", "stage128", "stage256"];

/** Name of the frozen input normalisation layer; no stage owns it and it is never trainable. */
export const INPUT_NORM_LAYER = "input_norm";

/** Name of the final 256 -> 128 layer; it is trainable whenever any stage is. */
export const FC_LAYER = "descriptor.fc";

/** One face-api residual block, in order, with the stage it belongs to. */
interface BlockSpec {
  stage: string;
  /** face-api's parameter prefix, e.g. `conv64_down`. */
  name: string;
  down: boolean;
  filters: number;
}

const BLOCKS: readonly BlockSpec[] = [
  { stage: "stage32", name: "conv32_1", down: false, filters: 32 },
  { stage: "stage32", name: "conv32_2", down: false, filters: 32 },
  { stage: "stage32", name: "conv32_3", down: false, filters: 32 },
  { stage: "stage64", name: "conv64_down", down: true, filters: 64 },
  { stage: "stage64", name: "conv64_1", down: false, filters: 64 },
  { stage: "stage64", name: "conv64_2", down: false, filters: 64 },
  { stage: "stage64", name: "conv64_3", down: false, filters: 64 },
  { stage: "stage128", name: "conv128_down", down: true, filters: 128 },
  { stage: "stage128", name: "conv128_1", down: false, filters: 128 },
  { stage: "stage128", name: "conv128_2", down: false, filters: 128 },
  { stage: "stage256", name: "conv256_down", down: true, filters: 256 },
  { stage: "stage256", name: "conv256_1", down: false, filters: 256 },
  { stage: "stage256", name: "conv256_2", down: false, filters: 256 },
  { stage: "stage256", name: "conv256_down_out", down: true, filters: 256 },
];

/** A convolution of the backbone: its layer name and face-api's prefix for its parameters. */
export interface ConvSpec {
  layer: string;
  /** e.g. `conv64_down/conv1`: face-api stores `<prefix>/conv/filters`, `<prefix>/scale/weights`. */
  faceApiPrefix: string;
}

/** Every convolution of the backbone, input to output. */
export const CONV_LAYERS: readonly ConvSpec[] = [
  { layer: "stem.conv32_down", faceApiPrefix: "conv32_down" },
  ...BLOCKS.flatMap((b) =>
    (["conv1", "conv2"] as const).map((part) => ({
      layer: `${b.stage}.${b.name}.${part}`,
      faceApiPrefix: `${b.name}/${part}`,
    }))
  ),
];

type Sym = tf.SymbolicTensor;

function conv(
  x: Sym,
  name: string,
  filters: number,
  kernelSize: number,
  opts: { strides?: number; padding?: "same" | "valid"; relu: boolean },
): Sym {
  return tf.layers.conv2d({
    name,
    filters,
    kernelSize,
    strides: opts.strides ?? 1,
    padding: opts.padding ?? "same",
    activation: opts.relu ? "relu" : "linear",
    useBias: true,
  }).apply(x) as Sym;
}

function residual(x: Sym, b: BlockSpec): Sym {
  const p = `${b.stage}.${b.name}`;
  let out = conv(x, `${p}.conv1`, b.filters, 3, { relu: true });
  out = conv(out, `${p}.conv2`, b.filters, 3, { relu: false });
  out = tf.layers.add({ name: `${p}.add` }).apply([out, x]) as Sym;
  return tf.layers.reLU({ name: `${p}.relu` }).apply(out) as Sym;
}

function residualDown(x: Sym, b: BlockSpec): Sym {
  const p = `${b.stage}.${b.name}`;
  let out = conv(x, `${p}.conv1`, b.filters, 3, { strides: 2, padding: "valid", relu: true });
  out = conv(out, `${p}.conv2`, b.filters, 3, { relu: false });

  let shortcut = tf.layers.averagePooling2d({
    name: `${p}.shortcut_pool`,
    poolSize: 2,
    strides: 2,
    padding: "valid",
  }).apply(x) as Sym;

  const [, ph, pw, pc] = shortcut.shape as number[];
  const [, oh, ow] = out.shape as number[];
  if (ph !== oh || pw !== ow) {
    // face-api grows the conv branch by exactly one zero row and one zero column.
    if (ph !== oh + 1 || pw !== ow + 1) {
      throw new Error(
        `Block "${p}" cannot match shapes: pooled ${ph}x${pw} vs conv ${oh}x${ow}; ` +
          `use ${CHIP_SIZE}x${CHIP_SIZE} chips`,
      );
    }
    out = tf.layers.zeroPadding2d({ name: `${p}.pad_hw`, padding: [[0, 1], [0, 1]] })
      .apply(out) as Sym;
  }
  if (pc !== b.filters) {
    // [n,h,w,c] -> [n,c,w,h], pad the channel axis at the end, and back.
    const extra = b.filters - pc;
    shortcut = tf.layers.permute({ name: `${p}.shortcut_to_chw`, dims: [3, 2, 1] })
      .apply(shortcut) as Sym;
    shortcut = tf.layers.zeroPadding2d({
      name: `${p}.shortcut_pad_c`,
      padding: [[0, extra], [0, 0]],
    })
      .apply(shortcut) as Sym;
    shortcut = tf.layers.permute({ name: `${p}.shortcut_to_hwc`, dims: [3, 2, 1] })
      .apply(shortcut) as Sym;
  }
  out = tf.layers.add({ name: `${p}.add` }).apply([shortcut, out]) as Sym;
  return tf.layers.reLU({ name: `${p}.relu` }).apply(out) as Sym;
}

/** Kernel and bias of `input_norm` that compute face-api's `(x - meanRgb) / 255`. */
function inputNormWeights(): tf.Tensor[] {
  return [
    tf.fill([1, 1, 3, 1], 1 / 255),
    tf.tensor1d(MEAN_RGB.map((m) => -m / 255)),
  ];
}

/**
 * Build the backbone with random weights (`input_norm` excepted, which is always exact).
 *
 * Load the pretrained weights with `loadBackbone`, or into this model with `setFaceApiWeights`.
 *
 * @returns a model from `[n, 150, 150, 3]` RGB in 0..255 to `[n, 128]` descriptors, all layers
 *   trainable except `input_norm`.
 *
 * @example The architecture, without downloading anything
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/backend.ts";
 * import { buildBackbone } from "./backbone.ts";
 *
 * await initBackend("cpu");
 * const model = buildBackbone(); // random weights
 * assert.deepEqual(model.inputs[0].shape, [null, 150, 150, 3]);
 * assert.deepEqual(model.outputs[0].shape, [null, 128]);
 * model.dispose();
 * ```
 */
export function buildBackbone(): LayersModel {
  const input = tf.input({ name: "chips", shape: [CHIP_SIZE, CHIP_SIZE, 3], dtype: "float32" });
  const norm = tf.layers.depthwiseConv2d({
    name: INPUT_NORM_LAYER,
    kernelSize: 1,
    depthMultiplier: 1,
    useBias: true,
    trainable: false,
  });
  let x = norm.apply(input) as Sym;
  x = conv(x, "stem.conv32_down", 32, 7, { strides: 2, padding: "valid", relu: true });
  x = tf.layers.maxPooling2d({ name: "stem.maxpool", poolSize: 3, strides: 2, padding: "valid" })
    .apply(x) as Sym;
  for (const block of BLOCKS) x = block.down ? residualDown(x, block) : residual(x, block);
  x = tf.layers.globalAveragePooling2d({ name: "descriptor.mean" }).apply(x) as Sym;
  const output = tf.layers.dense({ name: FC_LAYER, units: DESCRIPTOR_SIZE, useBias: false })
    .apply(x) as Sym;

  const model = tf.model({ name: "face_descriptor_resnet", inputs: input, outputs: output });
  const normWeights = inputNormWeights();
  norm.setWeights(normWeights);
  tf.dispose(normWeights);
  return model;
}

/** The backbone stage a layer belongs to, `"fc"` for the final layer, or undefined for others. */
function stageOf(layerName: string): string | undefined {
  if (layerName === FC_LAYER || layerName.startsWith("descriptor.")) return "fc";
  return STAGES.find((s) => layerName.startsWith(`${s}.`));
}

/**
 * Freeze the backbone except its last `n` residual stages (and the final fc when `n >= 1`).
 *
 * `n = 0` freezes everything, `n = 1` unfreezes `stage256` and the fc, ..., `n = STAGES.length`
 * unfreezes all but `input_norm`. Layers that are not the backbone's (a classifier head built on
 * top of it) are left alone; a backbone nested as a layer of `model` is handled too. Compile the
 * model after calling this: tfjs collects the trainable weights at `compile`.
 *
 * @throws RangeError when `n` is not an integer in 0..STAGES.length; Error when `model` has no
 *   backbone layers.
 *
 * @example Unfreeze more of the network
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/backend.ts";
 * import { buildBackbone, setTrainableStages, STAGES } from "./backbone.ts";
 *
 * await initBackend("cpu");
 * const model = buildBackbone();
 * setTrainableStages(model, 1); // the last stage and the fc
 * const top = model.trainableWeights.length;
 * setTrainableStages(model, STAGES.length); // everything but the input normalisation
 * assert.ok(model.trainableWeights.length > top);
 * model.dispose();
 * ```
 */
export function setTrainableStages(model: LayersModel, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > STAGES.length) {
    throw new RangeError(
      `Invalid number of trainable stages "${n}": use an integer from 0 to ${STAGES.length} ` +
        `(stages from the output: ${[...STAGES].reverse().join(", ")})`,
    );
  }
  const open = new Set(STAGES.slice(STAGES.length - n));
  if (n > 0) open.add("fc");
  if (applyTrainable(model, open) === 0) {
    throw new Error(
      `Model "${model.name}" has no face descriptor backbone layers: build it with ` +
        "buildBackbone or loadBackbone",
    );
  }
}

function applyTrainable(model: tf.LayersModel, open: Set<string>): number {
  let found = 0;
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      if (!hasBackboneLayers(layer)) continue;
      // A container's setter flags every weight inside it, so it goes first and the per-layer
      // settings below win.
      if (!layer.trainable) layer.trainable = true;
      found += applyTrainable(layer, open);
      continue;
    }
    if (layer.name === INPUT_NORM_LAYER) {
      layer.trainable = false;
      found++;
      continue;
    }
    const stage = stageOf(layer.name);
    if (stage === undefined) continue;
    layer.trainable = open.has(stage);
    found++;
  }
  return found;
}

function hasBackboneLayers(model: tf.LayersModel): boolean {
  return model.layers.some((layer) =>
    layer instanceof tf.LayersModel
      ? hasBackboneLayers(layer)
      : layer.name === INPUT_NORM_LAYER || stageOf(layer.name) !== undefined
  );
}
