/**
 * Descriptor throughput with the pretrained weights: `deno bench -A src/embed`. Compare the
 * per-chip time of a batch of 1 with a batch of 16 (the report divides by the batch size).
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../backend/backend.ts";
import { CHIP_SIZE } from "./backbone.ts";
import { embed } from "./embed.ts";
import { loadBackbone } from "./weights.ts";

const backend = await initBackend("wasm");
const model = await loadBackbone();

for (const n of [1, 16]) {
  const chips = tf.randomUniform([n, CHIP_SIZE, CHIP_SIZE, 3], 0, 255, "float32", n) as tf.Tensor4D;
  Deno.bench({
    name: `embed batch of ${n} (${backend.name}, ${backend.device})`,
    group: "embed",
    baseline: n === 1,
    n: n === 1 ? 40 : 5,
    warmup: 2,
    fn: () => {
      tf.tidy(() => embed(model, chips).dataSync());
    },
  });
}
