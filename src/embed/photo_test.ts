import assert from "node:assert/strict";
import { initBackend } from "../backend/backend.ts";
import { iou } from "../face/geometry.ts";
import { distance } from "../head/vectors.ts";
import { decodeImage } from "../image/mod.ts";
import { DETECT_DECODE_SIDE, FaceAnalyzer, type PhotoRecord } from "./photo.ts";

const DATASET = new URL("../../../shared/datasets/fcbarcelona/", import.meta.url).pathname;
const hasDataset = await Deno.stat(DATASET).then(() => true, () => false);

await initBackend("wasm");

/** Analyze a photo file both ways; stage names in the order the bytes path ran them. */
async function bothWays(analyzer: FaceAnalyzer, file: string) {
  const bytes = await Deno.readFile(DATASET + file);
  const full = await analyzer.analyzeImage(await decodeImage(bytes));
  const stages: string[] = [];
  const shrunk = await analyzer.analyzeBytes(bytes, { onStage: (s) => stages.push(s) });
  return { full, shrunk, stages };
}

Deno.test({
  name: "a large JPEG decoded shrunk gives the faces of the full decode",
  ignore: !hasDataset,
  async fn() {
    const analyzer = await FaceAnalyzer.load({ cacheDir: false });
    // 3000x2000 with a face of about 300x450: detection and the chip both work at half size.
    const { full, shrunk, stages } = await bothWays(analyzer, "Test/Jordi_Alba/Alba_13.jpg");
    assert.ok(full.width > 2 * DETECT_DECODE_SIDE, "a photo large enough to shrink");
    assert.deepEqual([shrunk.width, shrunk.height], [full.width, full.height]);
    assert.equal(stages.filter((s) => s === "decode").length, 1, "decoded once");
    assert.equal(shrunk.faces.length, full.faces.length);
    const [a, b] = [full.faces[0], shrunk.faces[0]];
    assert.ok(iou(a.box, b.box) > 0.9, `boxes ${JSON.stringify([a.box, b.box])}`);
    const d = distance(a.embedding, b.embedding);
    assert.ok(d < 0.1, `embedding distance ${d} (the same person is within about 0.4)`);
    analyzer.dispose();
  },
});

Deno.test({
  name: "a face too small for the shrunk decode is cut from a finer one",
  ignore: !hasDataset,
  async fn() {
    const analyzer = await FaceAnalyzer.load({ cacheDir: false });
    // 4035x2907 with a face under 150 px: detection at quarter size, the face at full size.
    const { full, shrunk, stages } = await bothWays(analyzer, "Train/Messi/Messi-51.jpg");
    assert.equal(stages.filter((s) => s === "decode").length, 2, `stages ${stages}`);
    assert.equal(shrunk.faces.length, full.faces.length);
    for (const [i, a] of full.faces.entries()) {
      const b = shrunk.faces[i];
      assert.ok(iou(a.box, b.box) > 0.9, `face ${i}: ${JSON.stringify([a.box, b.box])}`);
      const d = distance(a.embedding, b.embedding);
      assert.ok(d < 0.15, `face ${i}: embedding distance ${d}`);
    }
    analyzer.dispose();
  },
});

Deno.test({
  name: "with SSD workers the analyzer finds the same faces, then releases them",
  ignore: !hasDataset,
  async fn() {
    const dir = DATASET + "Test/Pique/";
    const files = [...Deno.readDirSync(dir)].map((e) => dir + e.name).sort().slice(0, 6);
    const alone = await FaceAnalyzer.load({ cacheDir: false });
    const helped = await FaceAnalyzer.load({ cacheDir: false, workers: 2 });
    assert.ok(helped.concurrency > 1, "photos at once");
    assert.equal(await helped.startWorkers(), 1);
    const expected: PhotoRecord[] = [];
    for (const f of files) expected.push(await alone.analyzeFile(f));
    // All at once, as analyzeFiles hands them: passes go to the worker when it has room.
    const got = await Promise.all(files.map((f) => helped.analyzeFile(f)));
    got.forEach((record, i) => {
      assert.equal(record.faces.length, expected[i].faces.length, files[i]);
      record.faces.forEach((face, k) => {
        assert.ok(iou(face.box, expected[i].faces[k].box) > 0.999, files[i]);
        assert.ok(distance(face.embedding, expected[i].faces[k].embedding) < 1e-4, files[i]);
      });
    });
    assert.ok(helped.stats.workerPasses > 0, "the worker took some of the passes");
    await helped.releaseWorkers();
    // Workers start again at the next photo that needs them.
    assert.equal((await helped.analyzeFile(files[0])).faces.length, expected[0].faces.length);
    alone.dispose();
    helped.dispose();
  },
});
