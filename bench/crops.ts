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
 * 2. The CLI on the crops: cold `train` on the Train crops (crops/s over the whole command), then
 *    `evaluate` on the Test crops (accuracy), each with an empty cache of its own.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { initBackend } from "../src/backend/backend.ts";
import { type LabelledFile, scanDataset } from "../src/dataset/scan.ts";
import { FaceAnalyzer } from "../src/embed/photo.ts";
import { analyzeFiles } from "../src/train/collect.ts";
import { makeCrops } from "./make_crops.ts";
import { runCli } from "./run_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: {
      type: "string",
      default: new URL("../../shared/datasets/fcbarcelona", import.meta.url).pathname,
    },
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
    images: files.length,
    coldPerSecond: files.length / coldSeconds,
    warmPerSecond: files.length / warmSeconds,
    passesPerImage: passes / files.length,
    noFace,
    failed: cold.failed.length,
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

  const pipeline = {
    crops: await coldAndWarm(testCrops, join(work, "cache-crops")),
    photos: await coldAndWarm(testPhotos, join(work, "cache-photos")),
  };

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
  const result = { crops, workers, pipeline, cli };
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
