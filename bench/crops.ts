/**
 * Face crops against full photos, in one run: the classic 92x112 grey crops made from FC
 * Barcelona by `bench/make_crops.ts` (made first, into a temporary folder, when `--crops` is not
 * given), and the photos they were cut from.
 *
 *   deno run -A bench/crops.ts [--data DIR] [--crops DIR] [--json]
 *
 * 1. The front half of the pipeline (decode, faces, chips, embeddings, cache) over Test, as `train`
 *    and `evaluate` run it (this thread and SSD workers): crops/s and photos/s, cold (an empty
 *    cache) and warm (the cache just filled), with the detector passes per image.
 * 2. Fidelity: each Test crop's face against its photo's face (the same face, as the full-photo
 *    pipeline found it): landmarks mapped back into the photo (mean error over the 68 points, in
 *    eye distances) and the embedding distance, beside the distances between different photos of
 *    the same person and of different people.
 * 3. The CLI on the crops: cold `train` on the Train crops (crops/s over the whole command), then
 *    `evaluate` on the Test crops (accuracy), each with an empty cache of its own.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { initBackend } from "../src/backend/backend.ts";
import { type LabelledFile, scanDataset } from "../src/dataset/scan.ts";
import { FaceAnalyzer } from "../src/embed/photo.ts";
import { iou, type Point } from "../src/face/geometry.ts";
import { distance } from "../src/head/vectors.ts";
import { type AnalyzedFile, analyzeFiles } from "../src/train/collect.ts";
import { CROP_HEIGHT, CROP_WIDTH } from "../tests/support/face_crops.ts";
import { type CropEntry, makeCrops } from "./make_crops.ts";
import { FCBARCELONA, runCli } from "./run_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: FCBARCELONA },
    crops: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

await initBackend("wasm");
const work = await Deno.makeTempDir({ prefix: "facefit-crops-" });
const workers = Math.min(navigator.hardwareConcurrency ?? 1, 4);

/** Analyze files with an empty cache, then again from it: images/s and detector passes. */
async function coldAndWarm(files: readonly LabelledFile[], cache: string) {
  const analyzer = await FaceAnalyzer.load({ cacheDir: cache, workers });
  const passesBefore = analyzer.detector.passes;
  let t = performance.now();
  const cold = await analyzeFiles(analyzer, files);
  const coldSeconds = (performance.now() - t) / 1000;
  const passes = analyzer.detector.passes - passesBefore; // here or on a worker
  t = performance.now();
  await analyzeFiles(analyzer, files);
  const warmSeconds = (performance.now() - t) / 1000;
  analyzer.dispose();
  const noFace = cold.analyzed.filter((a) => a.record.faces.length === 0).length;
  return {
    analyzed: cold.analyzed,
    images: files.length,
    coldPerSecond: files.length / coldSeconds,
    warmPerSecond: files.length / warmSeconds,
    passesPerImage: passes / files.length,
    noFace,
    failed: cold.failed.length,
  };
}

/** A crop's landmarks in its photo's pixels (inverse of the crop's sampling). */
function intoPhoto(points: Point[], head: CropEntry["head"]): Point[] {
  const sx = head.width / CROP_WIDTH, sy = head.height / CROP_HEIGHT;
  return points.map((p) => ({
    x: head.x + (p.x + 0.5) * sx - 0.5,
    y: head.y + (p.y + 0.5) * sy - 0.5,
  }));
}

function eyeDistance(p: Point[]): number {
  const mean = (from: number, to: number) => {
    const s = p.slice(from, to + 1);
    return {
      x: s.reduce((a, q) => a + q.x, 0) / s.length,
      y: s.reduce((a, q) => a + q.y, 0) / s.length,
    };
  };
  const l = mean(36, 41), r = mean(42, 47);
  return Math.hypot(l.x - r.x, l.y - r.y);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

/** Each crop's face against its photo's face; distances between photos for scale. */
function fidelity(entries: CropEntry[], crops: AnalyzedFile[], photos: AnalyzedFile[]) {
  // Matched by the last three parts of the path (split/person/file): the crops may have been made
  // from the same photos through another path.
  const tail = (path: string) => path.split("/").slice(-3).join("/");
  const byCrop = new Map(crops.map((c) => [tail(c.path), c]));
  const byPhoto = new Map(photos.map((p) => [tail(p.path), p]));
  const landmarkError: number[] = [], embeddingDistance: number[] = [];
  let missing = 0;
  const chosen: { label: string; embedding: number[] }[] = [];
  for (const e of entries) {
    const crop = byCrop.get(tail(e.crop));
    const photo = byPhoto.get(tail(e.photo));
    const face = photo?.record.faces.find((f) => iou(f.box, e.face) > 0.99);
    if (!crop || !face) continue;
    chosen.push({ label: photo!.label, embedding: face.embedding });
    if (crop.record.faces.length === 0) {
      missing++;
      continue;
    }
    const c = crop.record.faces[0];
    const mapped = intoPhoto(c.landmarks, e.head);
    const err = mapped.reduce((a, p, i) =>
      a + Math.hypot(p.x - face.landmarks[i].x, p.y - face.landmarks[i].y), 0) / 68;
    landmarkError.push(err / eyeDistance(face.landmarks));
    embeddingDistance.push(distance(c.embedding, face.embedding));
  }
  const same: number[] = [], other: number[] = [];
  chosen.forEach((a, i) =>
    chosen.slice(i + 1).forEach((b) =>
      (a.label === b.label ? same : other).push(distance(a.embedding, b.embedding))
    )
  );
  const summary = (xs: number[]) => ({ median: quantile(xs, 0.5), p90: quantile(xs, 0.9) });
  return {
    pairs: landmarkError.length,
    cropsWithoutFace: missing,
    landmarkErrorInEyeDistances: summary(landmarkError),
    embeddingDistance: summary(embeddingDistance),
    samePersonOtherPhoto: summary(same),
    otherPeople: summary(other),
  };
}

try {
  let crops = values.crops;
  if (!crops) {
    crops = join(work, "crops");
    const analyzer = await FaceAnalyzer.load({ workers });
    await makeCrops(analyzer, values.data!, crops, ["Train", "Test"]);
    analyzer.dispose();
  }
  // Warm the kernels (WASM compilation) on a crop and a photo outside the clock.
  const testCrops = (await scanDataset(join(crops, "Test"))).files;
  const testPhotos = (await scanDataset(join(values.data!, "Test"))).files;
  const warmUp = await FaceAnalyzer.load({ cacheDir: false });
  await warmUp.analyzeFile(testCrops[0].path);
  await warmUp.analyzeFile(testPhotos[0].path);
  warmUp.dispose();

  const { analyzed: cropFaces, ...cropFigures } = await coldAndWarm(
    testCrops,
    join(work, "cache-crops"),
  );
  const { analyzed: photoFaces, ...photoFigures } = await coldAndWarm(
    testPhotos,
    join(work, "cache-photos"),
  );
  const pipeline = { crops: cropFigures, photos: photoFigures };
  const entries: CropEntry[] = JSON.parse(await Deno.readTextFile(join(crops, "crops.json"))).crops;
  const faithful = fidelity(
    entries.filter((e) => e.crop.startsWith("Test")),
    cropFaces,
    photoFaces,
  );

  const trainCrops = (await scanDataset(join(crops, "Train"))).files.length;
  const model = join(work, "model");
  let t = performance.now();
  const train = await runCli(
    ["train", "--data", join(crops, "Train"), "--model", model, "--quiet"],
    join(work, "cache-train"),
  );
  const trainSeconds = (performance.now() - t) / 1000;
  if (train.code !== 0) throw new Error(`train failed: ${train.stderr}`);
  t = performance.now();
  const evaluate = await runCli(
    ["evaluate", "--data", join(crops, "Test"), "--model", model, "--json"],
    join(work, "cache-evaluate"),
  );
  const evaluateSeconds = (performance.now() - t) / 1000;
  if (evaluate.code !== 0) throw new Error(`evaluate failed: ${evaluate.stderr}`);
  const report = JSON.parse(evaluate.stdout);
  const cli = {
    train: { crops: trainCrops, seconds: trainSeconds, cropsPerSecond: trainCrops / trainSeconds },
    evaluate: {
      crops: report.total,
      seconds: evaluateSeconds,
      accuracy: report.accuracy,
      correct: report.correct,
      noFace: report.noFace,
    },
  };
  const result = { crops, workers, pipeline, fidelity: faithful, cli };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const f = (v: number) => v.toFixed(1).padStart(8);
    console.log(`crops from ${crops}; ${workers} threads (this one + SSD workers)\n`);
    console.log("Test, decode to embeddings   images  cold/s  warm/s  SSD passes/image  no face");
    for (const [k, v] of Object.entries(pipeline)) {
      console.log(
        `${k.padEnd(28)} ${String(v.images).padStart(6)} ${f(v.coldPerSecond)}${
          f(v.warmPerSecond)
        } ${v.passesPerImage.toFixed(2).padStart(17)} ${String(v.noFace).padStart(8)}`,
      );
    }
    const m = (v: { median: number; p90: number }) =>
      `median ${v.median.toFixed(3)}, p90 ${v.p90.toFixed(3)}`;
    console.log(
      `\ncrop vs photo, the same face (${faithful.pairs} pairs, ${faithful.cropsWithoutFace} crops without a face):`,
    );
    console.log(
      `  landmarks mapped into the photo, mean error in eye distances: ${
        m(faithful.landmarkErrorInEyeDistances)
      }`,
    );
    console.log(`  embedding distance:                       ${m(faithful.embeddingDistance)}`);
    console.log(`  same person, another photo:               ${m(faithful.samePersonOtherPhoto)}`);
    console.log(`  different people:                         ${m(faithful.otherPeople)}`);
    console.log(
      `\ncold train on ${trainCrops} Train crops: ${trainSeconds.toFixed(1)} s, ${
        cli.train.cropsPerSecond.toFixed(1)
      } crops/s`,
    );
    console.log(
      `evaluate on ${report.total} Test crops: ${
        (100 * report.accuracy).toFixed(1)
      }% (${report.correct}/${report.total}), ${report.noFace} without a face, ${
        evaluateSeconds.toFixed(1)
      } s`,
    );
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
