import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/backend.ts";
import { buildBackbone, setTrainableStages } from "./backbone.ts";
// deno-lint-ignore no-explicit-any
type Any = any;
await initBackend("wasm");
const cpu = tf.findBackend("cpu") as Any;
const cpuKernel = tf.getKernel("Conv2DBackpropFilter", "cpu")!;
tf.registerKernel({
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as Any;
    const toCpu = (t: tf.TensorInfo) => ({ dataId: cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype });
    const x = toCpu(inputs.x as tf.TensorInfo), dy = toCpu(inputs.dy as tf.TensorInfo);
    const out = cpuKernel.kernelFunc({ inputs: { x, dy }, backend: cpu, attrs }) as tf.TensorInfo;
    const res = wasm.makeOutput(out.shape, out.dtype);
    wasm.typedArrayFromHeap(res).set(cpu.readSync(out.dataId));
    for (const t of [x, dy, out]) cpu.disposeData(t.dataId);
    return res;
  },
});
// gradient check vs cpu backend
const x = tf.randomUniform([2, 17, 17, 32], -1, 1, "float32", 1);
const f = tf.randomUniform([3, 3, 32, 64], -1, 1, "float32", 2);
const g = (b: string) => { tf.setBackend(b); return tf.grad((ff: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, ff as tf.Tensor4D, 2, "valid").square().sum())(f).dataSync(); };
const a = g("wasm"), c = g("cpu");
console.log("grad max diff", Math.max(...a.map((v, i) => Math.abs(v - c[i]))), "max", Math.max(...c.map(Math.abs)));
await tf.setBackend("wasm");
const model = buildBackbone();
setTrainableStages(model, 2);
model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
const xs = tf.randomUniform([16, 150, 150, 3], 0, 255), ys = tf.randomNormal([16, 128]);
const n0 = tf.memory().numTensors;
let t0 = performance.now();
await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
console.log("wasm fit 16 chips, 2 stages:", (performance.now() - t0).toFixed(0), "ms", tf.memory().numTensors - n0);
t0 = performance.now();
await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
console.log("wasm fit again:", (performance.now() - t0).toFixed(0), "ms", tf.memory().numTensors - n0);
