import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeImage } from "../image/mod.ts";
import type { ModelInfo } from "../head/model_io.ts";
import {
  evaluationReport,
  trainingReport,
  type TrainingReportInput,
  writeReport,
} from "./build.ts";
import { encodeJpeg } from "./encode.ts";
import { thumbnailImage } from "./thumbnails.ts";

const INFO: ModelInfo = {
  format: 1,
  labels: ["Ada", "Bob"],
  backbone: "test-backbone",
  chip: { size: 150, padding: 0.25, alignment: "test" },
  embedding: { size: 128, normalize: "l2" },
  threshold: { value: 0.6, rule: "accepts 95% of the 3 correctly named validation faces" },
  createdAt: "2025-01-01T00:00:00.000Z",
  training: { epochs: 3, learningRate: 0.01 },
};

/** A generated photo: a gradient with a bright square where the "face" is. */
async function photo(path: string, w = 240, h = 180): Promise<void> {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inFace = x >= 100 && x < 140 && y >= 60 && y < 110;
      data.set(inFace ? [240, 220, 200] : [x % 256, y % 256, 120], (y * w + x) * 3);
    }
  }
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeFile(path, await encodeJpeg({ width: w, height: h, data }));
}

const BOX = { x: 100, y: 60, width: 40, height: 50 };

Deno.test("trainingReport embeds thumbnails of misclassified and face-less photos", async () => {
  const dir = await Deno.makeTempDir({ prefix: "facefit-report-" });
  const [a1, a2, b1, nf] = ["Ada/1.jpg", "Ada/2.jpg", "Bob/1.jpg", "Bob/noface.jpg"].map((p) =>
    join(dir, p)
  );
  for (const p of [a1, a2, b1, nf]) await photo(p);
  const report: TrainingReportInput["report"] = {
    failed: [{ path: join(dir, "Bob/broken.jpg"), reason: "not an image" }],
    noFace: [nf],
    noMatchingFace: [],
    multiFace: [],
    warnings: ["Only 2 photos of Bob"],
    counts: {
      train: 4,
      val: 3,
      perPerson: { Ada: { train: 2, val: 2 }, Bob: { train: 2, val: 1 } },
    },
    validation: [
      { path: a1, label: "Ada", predicted: "Ada", probability: 0.9, box: BOX },
      { path: a2, label: "Ada", predicted: "Bob", probability: 0.7, box: BOX },
      { path: b1, label: "Bob", predicted: "Bob", probability: 0.8, box: BOX },
    ],
  };
  const metrics = {
    valAccuracy: 2 / 3,
    bestEpoch: 1,
    epochsRun: 3,
    history: [{ loss: 1, val_loss: 1 }, { loss: 0.5, val_loss: 0.6 }, { loss: 0.4, val_loss: 0.7 }],
    seconds: { analyze: 2, fit: 1, total: 3.5 },
    backend: { name: "wasm", device: "CPU" },
  };
  const steps: number[] = [];
  const html = await trainingReport({ info: INFO, metrics, report }, {
    model: "models/test",
    onProgress: (p) => steps.push(p.done),
  });
  assert.deepEqual(steps, [1, 2], "one thumbnail per misclassified or face-less photo");
  const uris = [...html.matchAll(/<img src="data:image\/jpeg;base64,([^"]+)"/g)].map((m) => m[1]);
  assert.equal(uris.length, 2);
  const thumb = await decodeImage(Uint8Array.from(atob(uris[0]), (c) => c.charCodeAt(0)));
  assert.equal(thumb.height, 96);
  assert.match(html, /66.7%/);
  assert.match(html, /Only 2 photos of Bob/);
  assert.match(html, /broken.jpg: not an image/);
  assert.match(html, /<dd>wasm<\/dd>/);

  const path = join(dir, "out", "report.html");
  await writeReport(path, html);
  assert.equal(await Deno.readTextFile(path), html);
  assert.deepEqual(
    [...Deno.readDirSync(join(dir, "out"))].map((e) => e.name),
    ["report.html"],
    "no temporary file left",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("evaluationReport: missing photos become captions, not failures", async () => {
  const html = await evaluationReport({
    accuracy: 0.5,
    total: 2,
    correct: 1,
    noFace: 0,
    belowThreshold: 0,
    perClass: { Ada: { total: 1, correct: 1 }, Bob: { total: 1, correct: 0 } },
    confusion: { Ada: { Ada: 1 }, Bob: { Ada: 1 } },
    failed: [],
    ignoredFolders: ["Eve"],
    photos: [
      {
        path: "/nowhere/Ada/1.jpg",
        label: "Ada",
        predicted: "Ada",
        probability: 0.9,
        belowThreshold: false,
        faces: 1,
      },
      {
        path: "/nowhere/Bob/1.jpg",
        label: "Bob",
        predicted: "Ada",
        probability: 0.7,
        belowThreshold: false,
        faces: 1,
        box: BOX,
      },
    ],
  }, { model: "m", data: "photos/test", info: INFO });
  assert.match(html, /<div class="noimg">Cannot read/);
  assert.match(html, /A face whose top probability is below <b>0.6<\/b> is called <i>unknown<\/i>/);
  assert.match(html, /Folder &#34;Eve&#34; is not one of the model&#39;s people/);
  assert.equal((html.match(/<rect class="cell/g) ?? []).length, 4);
});

Deno.test("writeReport says where it could not write", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "file"), "");
  await assert.rejects(
    writeReport(join(dir, "file", "report.html"), "x"),
    /Cannot write the report to ".*file\/report.html".*--report PATH/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("thumbnailImage crops round the face and draws its box", () => {
  const w = 600, h = 400;
  const image = { width: w, height: h, data: new Uint8Array(w * h * 3).fill(50) };
  const t = thumbnailImage(image, { x: 500, y: 20, width: 40, height: 40 }, { color: [255, 0, 0] });
  assert.equal(t.height, 96);
  assert.ok(t.width <= 144, String(t.width));
  let red = 0;
  for (let i = 0; i < t.data.length; i += 3) if (t.data[i] === 255 && t.data[i + 1] === 0) red++;
  assert.ok(red > 40, `box pixels: ${red}`);
  const whole = thumbnailImage(image);
  assert.deepEqual([whole.width, whole.height], [144, 96]);
});

Deno.test("a model with open-set calibration: the report names the distance rule", async () => {
  const info = { ...INFO, openSet: { rule: "farther than the person's threshold" } } as typeof INFO;
  const html = await trainingReport({
    info,
    metrics: {},
    report: {
      failed: [],
      noFace: [],
      noMatchingFace: [],
      multiFace: [],
      warnings: [],
      counts: { train: 2, val: 0, perPerson: {} },
      validation: [],
    },
  }, { model: "m" });
  assert.match(
    html,
    /distance to each person&#39;s centroid.*farther than the person&#39;s threshold/,
  );
  assert.match(html, /probability threshold<\/div>/);
});
