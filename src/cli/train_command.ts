/**
 * `facefit train`: train a recogniser on a folder-per-person collection and save it.
 *
 * @module
 */
import { FaceAnalyzer } from "../embed/photo.ts";
import { saveModel } from "../head/model_io.ts";
import { checkpointDir, removeCheckpoint } from "../train/checkpoint.ts";
import { train, type TrainResult } from "../train/train.ts";
import { DEFAULTS, type TrainArgs } from "./args.ts";
import { trainAuditLine } from "./audit_command.ts";
import { analyzerConfig, peakRssMiB, startBackend } from "./context.ts";
import type { Interruption } from "./interrupt.ts";
import { cacheLine, formatSeconds, type Reporter } from "./output.ts";
import { writeTrainingReport } from "./report_output.ts";
import { libraryRegions } from "../xmp/labels.ts";

/** Run `train`; returns the exit code. */
export async function trainCommand(
  args: TrainArgs,
  reporter: Reporter,
  interruption?: Interruption,
): Promise<number> {
  await checkDefaultData(args.data);
  const result = await trainAndSave(args, reporter, interruption);
  const html = await writeTrainingReport(result, args, reporter);
  if (args.json) {
    reporter.result(JSON.stringify({ model: args.model, html, ...summary(result) }, null, 2));
  }
  return 0;
}

/** A first `deno task train` finds no `data/train`: say where photos go and how to get some. */
async function checkDefaultData(data: string): Promise<void> {
  if (data !== DEFAULTS.data) return;
  try {
    await Deno.stat(data);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return; // the scan explains other failures
    throw new Error(
      `No photos in "${data}": put one folder of photos per person there ` +
        `("${data}/<Person>/*.jpg"), or give --data DIR; to try facefit first, ` +
        '"deno task demo" downloads the FC Barcelona photos, trains, evaluates and predicts',
    );
  }
}

/**
 * Train and save, printing progress; shared with `demo`.
 *
 * @param interruption Ctrl-C during the save abandons it and keeps the previous model.
 */
export async function trainAndSave(
  args: TrainArgs,
  reporter: Reporter,
  interruption?: Interruption,
): Promise<TrainResult> {
  const backend = await startBackend(args, reporter);
  const started = performance.now();
  const analyzer = await reporter.time(
    "load networks",
    () => FaceAnalyzer.load(analyzerConfig(args, true)),
  );
  reporter.info(
    `training on "${args.data}", validating on ` +
      (args.val
        ? `"${args.val}"`
        : `${Math.round(args.valSplit * 100)}% of it (seed ${args.seed})`),
  );
  let lastEpoch = -1;
  let lastLogs = {};
  const regions = args.labels === "xmp" ? await xmpLabels(args.data, reporter) : undefined;
  const result = await train(analyzer, {
    regions,
    data: args.data,
    val: args.val,
    valSplit: args.valSplit,
    seed: args.seed,
    epochs: args.epochs,
    batchSize: args.batchSize,
    learningRate: args.learningRate,
    patience: args.patience,
    hidden: args.hidden,
    fineTune: args.fineTune,
    fineTuneLearningRate: args.fineTuneLr,
    fineTuneEpochs: args.fineTuneEpochs,
    checkpointDir: checkpointDir(args.model),
    resume: args.resume,
    augment: args.augment,
    strangerAcceptance: args.strangerAcceptance,
    onProgress: (p) => reporter.progress(p),
    onEpochEnd: (epoch, logs) => {
      reporter.epoch(epoch, logs, false, args.epochs);
      [lastEpoch, lastLogs] = [epoch, logs];
    },
  }).finally(() => analyzer.dispose()); // a failure must not leave worker threads running
  if (lastEpoch >= 0) reporter.epoch(lastEpoch, lastLogs, true);
  const seconds = (performance.now() - started) / 1000;
  result.metrics.seconds = { ...(result.metrics.seconds as object), total: seconds };
  result.metrics.backend = backend;
  result.metrics.peakRssMiB = peakRssMiB();
  const stages = result.metrics.seconds as Record<string, number>;
  for (const [stage, s] of Object.entries(stages)) {
    if (stage !== "total" && typeof s === "number") reporter.timing(stage, s);
  }
  await reporter.time("save", () => save(args, result, reporter, interruption));
  await removeCheckpoint(checkpointDir(args.model));
  result.head.dispose();
  const r = result.report;
  for (const w of r.warnings) reporter.warn(w);
  for (const f of r.failed) reporter.skipped(f.path, f.reason);
  if (r.noFace.length) {
    reporter.info(`no face found in ${r.noFace.length} photo(s): ${r.noFace.join(", ")}`);
  }
  if (r.noMatchingFace.length) {
    reporter.info(
      `no face close to its person in ${r.noMatchingFace.length} photo(s), not used: ${
        r.noMatchingFace.join(", ")
      }`,
    );
  }
  const m = result.metrics;
  reporter.info(
    `trained on ${r.counts.train} faces of ${result.info.labels.length} people, ` +
      `best epoch ${(m.bestEpoch as number) + 1} of ${m.epochsRun}` +
      (typeof m.valAccuracy === "number"
        ? `, validation accuracy ${(m.valAccuracy * 100).toFixed(1)}% on ${m.valExamples} faces`
        : "") +
      openSetLine(result),
  );
  reporter.info(
    `${r.failed.length} unreadable, ${r.noFace.length} without a face, ${r.multiFace.length} with several faces; ` +
      `${cacheLine(m.cache as { hits: number; misses: number })}; ` +
      `${formatSeconds(seconds)} in all`,
  );
  // Only the cheap audit (content hashes), with a pointer to `facefit audit` for the rest.
  const counts = { noFace: r.noFace.length, multiFace: r.multiFace.length };
  if (!regions) {
    await trainAuditLine(args, counts).then(
      (line) => reporter.info(line),
      (error) => reporter.warn(`audit skipped: ${error.message}`),
    );
  }
  reporter.info(`saved model to "${args.model}"`);
  return result;
}

/** The named face regions of a library's sidecars and embedded XMP, as training labels. */
async function xmpLabels(library: string, reporter: Reporter) {
  const found = await libraryRegions(
    library,
    (done, total) => reporter.progress({ step: "xmp", done, total }),
  );
  for (const f of found.failed) reporter.skipped(f.path, f.reason);
  const faces = found.photos.reduce((n, p) => n + p.regions.length, 0);
  const people = new Set(found.photos.flatMap((p) => p.regions.map((r) => r.name)));
  reporter.info(
    `labels from XMP: ${faces} named face region(s) of ${people.size} people in ` +
      `${found.photos.length} photo(s); ${found.photosWithout} photo(s) without one, ` +
      `${found.unnamed} region(s) without a name`,
  );
  if (people.size < 2) {
    throw new Error(
      `"${library}" holds named face regions of ${people.size} people; a recogniser needs at ` +
        "least 2: name faces in a photo manager (digiKam, Lightroom, ...) or with facefit tag --xmp",
    );
  }
  return found.photos;
}

/** Save the model; a Ctrl-C meanwhile drops the new one unless it is already in place. */
async function save(
  args: TrainArgs,
  result: TrainResult,
  reporter: Reporter,
  interruption: Interruption | undefined,
): Promise<void> {
  const stage = async (signal?: AbortSignal) => {
    if (args.verbose) reporter.info(`saving the model to "${args.model}"`);
    await saveModel(args.model, result, { signal });
  };
  if (!interruption) return await stage();
  await interruption.guard(
    stage,
    `interrupted; the new model was saved to "${args.model}", its report was not written`,
  );
}

/** The per-person distance thresholds in brief; the full story is in facefit.json. */
function openSetLine(result: TrainResult): string {
  const o = result.info.openSet;
  if (!o) return `, threshold ${result.info.threshold.value}`;
  const t = Object.values(o.people).map((p) => p.threshold);
  return `; unknown beyond a distance of ${Math.min(...t)} to ${Math.max(...t)} from the ` +
    `person's centroid (accepts at most ${o.strangerAcceptance * 100}% of ` +
    `${o.data.otherPeopleFaces + o.data.unknownFaces} stranger faces, ` +
    `${o.data.unknownFaces} of them from _unknown/)`;
}

function summary(result: TrainResult) {
  const { history: _history, ...metrics } = result.metrics;
  const { centroids: _centroids, ...openSet } = result.info.openSet ?? {};
  return {
    labels: result.info.labels,
    threshold: result.info.threshold,
    ...(result.info.openSet ? { openSet } : {}),
    metrics,
    report: result.report,
  };
}
