/**
 * The WebGPU path computes the same numbers as WASM. Runs where a WebGPU adapter exists (CI
 * installs Mesa's software Vulkan driver); skipped elsewhere.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { probeWebGpu } from "../src/backend/backend.ts";

const SHARED = new URL("../../shared/datasets/fcbarcelona/Test/", import.meta.url).pathname;
const RUN = new URL("./support/parity_run.ts", import.meta.url).pathname;
const adapter = await probeWebGpu().catch(() => undefined);
const photos = (() => {
  try {
    return ["Messi", "Pique"].map((p) =>
      join(SHARED, p, [...Deno.readDirSync(join(SHARED, p))].map((e) => e.name).sort()[0])
    );
  } catch {
    return [];
  }
})();

async function run(backend: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", RUN, backend, ...photos],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(text.trim().split("\n").pop()!);
}

Deno.test({
  name: "WebGPU and WASM agree on boxes, embeddings and training losses",
  ignore: !adapter || photos.length === 0,
  sanitizeResources: false,
  async fn() {
    const [wasm, gpu] = [await run("wasm"), await run("webgpu")];
    assert.equal(wasm.backend, "wasm");
    assert.equal(gpu.backend, "webgpu");
    assert.equal(gpu.faces.length, wasm.faces.length);
    let maxEmbedding = 0;
    wasm.faces.forEach(
      (faces: { box: Record<string, number>; embedding: number[] }[], i: number) => {
        assert.equal(gpu.faces[i].length, faces.length, `faces in photo ${i}`);
        faces.forEach((f, j) => {
          const g = gpu.faces[i][j];
          for (const k of ["x", "y", "width", "height"]) {
            assert.ok(Math.abs(f.box[k] - g.box[k]) <= 1, `box ${k}`);
          }
          f.embedding.forEach((v, d) =>
            maxEmbedding = Math.max(maxEmbedding, Math.abs(v - g.embedding[d]))
          );
        });
      },
    );
    assert.ok(maxEmbedding <= 1e-3, `embeddings differ by ${maxEmbedding}`);
    assert.ok(
      Math.abs(wasm.headLoss - gpu.headLoss) <= 1e-3,
      `head loss ${wasm.headLoss} vs ${gpu.headLoss}`,
    );
    assert.ok(
      Math.abs(wasm.fineTuneLoss - gpu.fineTuneLoss) <= 1e-3 * Math.max(1, wasm.fineTuneLoss),
      `fine-tune loss ${wasm.fineTuneLoss} vs ${gpu.fineTuneLoss}`,
    );
  },
});
