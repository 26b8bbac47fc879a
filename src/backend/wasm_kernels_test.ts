import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "./backend.ts";
import { seededRandom } from "../dataset/random.ts";

Deno.test("the WASM Conv2DBackpropFilter matches the CPU backend's gradient", async () => {
  const cases = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: "same" as const },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: "valid" as const },
    { x: [1, 11, 11, 2], f: [7, 7, 2, 5], strides: 2, pad: "valid" as const },
  ];
  const grads: Record<string, number[][]> = {};
  for (const backend of ["cpu", "wasm"] as const) {
    if (backend === "wasm") await initBackend("wasm");
    else await tf.setBackend("cpu");
    const rnd = seededRandom(9);
    grads[backend] = cases.map((c) => {
      const x = tf.tensor4d(
        Float32Array.from({ length: c.x.reduce((a, b) => a * b) }, () => rnd() - 0.5),
        c.x as [number, number, number, number],
      );
      const f = tf.tensor4d(
        Float32Array.from({ length: c.f.reduce((a, b) => a * b) }, () => rnd() - 0.5),
        c.f as [number, number, number, number],
      );
      const g = tf.grad((k) => tf.conv2d(x, k as tf.Tensor4D, c.strides, c.pad).square().sum())(f);
      const out = Array.from(g.dataSync());
      tf.dispose([x, f, g]);
      return out;
    });
  }
  grads.cpu.forEach((cpu, i) => {
    const wasm = grads.wasm[i];
    const scale = Math.max(...cpu.map(Math.abs));
    const diff = Math.max(...cpu.map((v, k) => Math.abs(v - wasm[k])));
    assert.ok(diff / scale < 1e-4, `case ${i}: relative difference ${diff / scale}`);
  });
});
