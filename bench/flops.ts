/**
 * Multiply-accumulates per image of the networks facefit runs, from their architectures, so that a
 * measured time can be set against what the hardware can do.
 *
 *   deno run -A bench/flops.ts
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { buildBackbone } from "../src/embed/backbone.ts";

/** MACs of a LayersModel's convolution and dense layers for one input. */
export function layersModelMacs(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const out = layer.outputShape as number[];
    const config = layer.getConfig() as { kernelSize?: number[]; filters?: number };
    if (cls === "Conv2D") {
      const [kh, kw] = config.kernelSize!;
      const cin = (layer.inputSpec?.[0]?.axes?.[-1] as number | undefined) ??
        ((layer.input as tf.SymbolicTensor).shape[3] as number);
      macs += kh * kw * cin * out[1] * out[2] * out[3];
    } else if (cls === "DepthwiseConv2D") {
      const [kh, kw] = config.kernelSize!;
      macs += kh * kw * out[1] * out[2] * out[3];
    } else if (cls === "Dense") {
      macs += ((layer.input as tf.SymbolicTensor).shape[1] as number) * out[1];
    }
  }
  return macs;
}

/**
 * MACs of face-api's SSD MobileNet v1 at its 512x512 input: the MobileNet v1 body (depth 1.0) and
 * the SSD extra layers and box predictors, following face-api's `mobileNetV1` and
 * `predictionLayer`.
 */
export function ssdMobilenetMacs(size = 512): number {
  let macs = 0, s = size / 2, c = 32;
  macs += 3 * 3 * 3 * c * s * s; // conv_0, stride 2
  const body: [number, number][] = [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [1024, 2],
    [1024, 1],
  ];
  const maps: [number, number][] = [];
  for (const [out, stride] of body) {
    s = Math.ceil(s / stride);
    macs += 9 * c * s * s + c * out * s * s; // depthwise 3x3 + pointwise 1x1
    c = out;
    if (out === 512 && stride === 1 && maps.length === 0 && s === size / 16) maps.push([s, 512]);
  }
  maps.length = 0;
  maps.push([size / 16, 512], [size / 32, 1024]);
  const extras: [number, number][] = [[256, 512], [128, 256], [128, 256], [64, 128]];
  for (const [mid, out] of extras) {
    macs += c * mid * s * s;
    s = Math.ceil(s / 2);
    macs += 9 * mid * out * s * s;
    c = out;
    maps.push([s, out]);
  }
  // Box predictors: 3x3 convs to 3 or 6 anchors x (4 box + 3 class) outputs per map.
  maps.forEach(([m, ch], i) => macs += 9 * ch * (i === 0 ? 3 : 6) * 7 * m * m);
  return macs;
}

/** What this backend sustains on a large matrix product, in multiply-accumulates per second. */
export async function peakMacsPerSecond(n = 1024, runs = 5): Promise<number> {
  const a = tf.randomUniform([n, n]), b = tf.randomUniform([n, n]);
  const warm = tf.matMul(a, b);
  await warm.data();
  warm.dispose();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    best = Math.min(best, performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (n * n * n) / (best / 1000);
}

if (import.meta.main) {
  const { initBackend } = await import("../src/backend/backend.ts");
  const backend = await initBackend("auto");
  const backbone = buildBackbone();
  const g = (m: number) => `${(m / 1e9).toFixed(2)} GMAC (${(2 * m / 1e9).toFixed(2)} GFLOP)`;
  console.log(`SSD MobileNet v1, 512x512:        ${g(ssdMobilenetMacs())}`);
  console.log(`ResNet face descriptor, 150x150:  ${g(layersModelMacs(backbone))} per face`);
  const peak = await peakMacsPerSecond();
  console.log(
    `${backend.name} on ${backend.device}: a 1024x1024 matrix product runs at ` +
      `${(peak / 1e9).toFixed(1)} GMAC/s, so one SSD pass cannot take less than ` +
      `${((ssdMobilenetMacs() / peak) * 1000).toFixed(0)} ms here`,
  );
}
