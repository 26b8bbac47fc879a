/**
 * Train a recogniser from a folder-per-person photo collection: analyze every photo (cached),
 * pick the labelled person's face in each, split, fit the head, and choose the unknown threshold.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { scanDataset } from "../dataset/scan.ts";
import { stratifiedSplit } from "../dataset/split.ts";
import { ALIGNMENT_ID, type FaceAnalyzer } from "../embed/photo.ts";
import { CHIP_PADDING, CHIP_SIZE } from "../face/align.ts";
import { buildHead } from "../head/head.ts";
import { MODEL_FORMAT, type ModelInfo } from "../head/model_io.ts";
import { chooseThreshold } from "../head/threshold.ts";
import { normalize } from "../head/vectors.ts";
import type { Box } from "../face/geometry.ts";
import type { EpochLogs } from "./callbacks.ts";
import { chooseFaces } from "./choose_face.ts";
import { type AnalyzedFile, analyzeFiles, type FailedFile, type StepProgress } from "./collect.ts";
import { DEFAULT_FIT, type Examples, fitClassifier } from "./fit.ts";

/** What to train on and how. */
export interface TrainOptions {
  /** Folder with one sub-folder per person. */
  data: string;
  /** Validation folder; when absent, `valSplit` of `data` is held out (stratified). */
  val?: string;
  valSplit?: number;
  seed?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  /** Hidden units in the head (0: linear). */
  hidden?: number;
  /** Progress of the per-photo steps. */
  onProgress?: (p: StepProgress) => void;
  /** Called after every epoch. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
}

/** How the trained head named the chosen face of one validation photo. */
export interface ValidationOutcome {
  path: string;
  label: string;
  /** The head's best guess, whatever the threshold. */
  predicted: string;
  probability: number;
  /** The chosen face, in the upright photo's pixels. */
  box: Box;
}

/** Photo-level facts a user should see after training. */
export interface TrainReport {
  /** Files that could not be read or decoded. */
  failed: FailedFile[];
  /** Photos where no face was found. */
  noFace: string[];
  /** Photos whose faces were all too far from the person's centroid: the person is not visible. */
  noMatchingFace: string[];
  /** Photos with several faces, and the distance of the chosen face to its person's centroid. */
  multiFace: { path: string; faces: number; chosen: number }[];
  /** Warnings from scanning the folders. */
  warnings: string[];
  counts: { train: number; val: number; perPerson: Record<string, { train: number; val: number }> };
  /** Every validation photo's outcome with the best weights; empty without validation photos. */
  validation: ValidationOutcome[];
}

/** A trained, not yet saved, model. */
export interface TrainResult {
  head: tf.LayersModel;
  info: ModelInfo;
  metrics: Record<string, unknown>;
  report: TrainReport;
}

/**
 * Train a recogniser.
 *
 * @throws Error when the data holds fewer than two people with usable photos.
 */
export async function train(analyzer: FaceAnalyzer, options: TrainOptions): Promise<TrainResult> {
  const seed = options.seed ?? 42;
  const started = performance.now();
  const dataset = await scanDataset(options.data);
  const valSet = options.val ? await scanDataset(options.val) : undefined;
  const labels = dataset.labels;
  if (labels.length < 2) {
    throw new Error(
      `Dataset "${options.data}" has ${labels.length} person folder(s) with photos; ` +
        "a recogniser needs at least 2 (one sub-folder per person)",
    );
  }
  const valFiles = (valSet?.files ?? []).filter((f) => labels.includes(f.label));
  const warnings = [...dataset.warnings, ...(valSet?.warnings ?? [])];
  for (const f of valSet?.files ?? []) {
    if (!labels.includes(f.label)) {
      warnings.push(
        `Validation photo "${f.path}" shows "${f.label}", who has no training folder: not used`,
      );
    }
  }
  const all = [...dataset.files, ...valFiles];
  const { analyzed, failed } = await analyzeFiles(analyzer, all, options.onProgress);
  failed.push(...dataset.skipped.map((s) => ({ path: s.path, reason: s.reason })));
  const analyzeSeconds = (performance.now() - started) / 1000;

  // Choose each photo's face with centroids from all labelled photos (validation labels are known too).
  const photos = analyzed.map((a) => ({
    label: a.label,
    embeddings: a.record.faces.map((f) => normalize(f.embedding)),
    areas: a.record.faces.map((f) => f.box.width * f.box.height),
  }));
  const { choices } = chooseFaces(photos);
  const usable: { file: AnalyzedFile; x: Float32Array; face: number }[] = [];
  const noFace: string[] = [];
  const noMatchingFace: string[] = [];
  const multiFace: TrainReport["multiFace"] = [];
  analyzed.forEach((a, i) => {
    const c = choices[i];
    if (a.record.faces.length === 0) noFace.push(a.path);
    else if (c.index < 0) noMatchingFace.push(a.path);
    else usable.push({ file: a, x: photos[i].embeddings[c.index], face: c.index });
    if (a.record.faces.length > 1 && c.index >= 0) {
      multiFace.push({ path: a.path, faces: a.record.faces.length, chosen: c.index });
    }
  });

  const valPaths = new Set(valFiles.map((f) => f.path));
  let trainRows = usable.filter((u) => !valPaths.has(u.file.path));
  let valRows = usable.filter((u) => valPaths.has(u.file.path));
  if (!valSet) {
    const split = stratifiedSplit(
      usable.map((u) => ({ ...u, label: u.file.label })),
      options.valSplit ?? 0.2,
      seed,
    );
    trainRows = split.train;
    valRows = split.val;
  }
  const present = new Set(trainRows.map((r) => r.file.label));
  const missing = labels.filter((l) => !present.has(l));
  if (present.size < 2) {
    throw new Error(
      `Only ${present.size} person(s) have a photo with a usable face in "${options.data}"; ` +
        "a recogniser needs at least 2",
    );
  }
  if (missing.length > 0) warnings.push(`No usable training photo for: ${missing.join(", ")}`);
  const toExamples = (rows: typeof usable): Examples => ({
    x: rows.map((r) => r.x),
    y: rows.map((r) => labels.indexOf(r.file.label)),
  });
  const trainEx = toExamples(trainRows);
  const valEx = toExamples(valRows);

  const head = buildHead({
    inputSize: trainEx.x[0].length,
    classes: labels.length,
    hidden: options.hidden,
    seed,
  });
  const fitOptions = {
    epochs: options.epochs ?? DEFAULT_FIT.epochs,
    batchSize: options.batchSize ?? DEFAULT_FIT.batchSize,
    learningRate: options.learningRate ?? DEFAULT_FIT.learningRate,
    patience: options.patience ?? DEFAULT_FIT.patience,
    seed,
  };
  const fitStarted = performance.now();
  const fit = await fitClassifier(head, { train: trainEx, val: valEx, classes: labels.length }, {
    ...fitOptions,
    onEpochEnd: options.onEpochEnd,
  });
  const fitSeconds = (performance.now() - fitStarted) / 1000;

  // Threshold and validation figures from the restored best weights.
  const scored = valEx.x.length > 0 ? valEx : trainEx;
  const probs = await predictRows(head, scored.x);
  const best = probs.map(argmax);
  const correct = best.filter((b, i) => b === scored.y[i]).length;
  const threshold = chooseThreshold(
    probs.filter((_, i) => best[i] === scored.y[i]).map((p) => Math.max(...p)),
    labels.length,
  );
  const validation: ValidationOutcome[] = scored !== valEx ? [] : valRows.map((r, i) => ({
    path: r.file.path,
    label: r.file.label,
    predicted: labels[best[i]],
    probability: Math.max(...probs[i]),
    box: r.file.record.faces[r.face].box,
  }));
  const perPerson: TrainReport["counts"]["perPerson"] = {};
  for (const l of labels) perPerson[l] = { train: 0, val: 0 };
  trainRows.forEach((r) => perPerson[r.file.label].train++);
  valRows.forEach((r) => perPerson[r.file.label].val++);

  const info: ModelInfo = {
    format: MODEL_FORMAT,
    labels,
    backbone: analyzer.backboneId,
    chip: { size: CHIP_SIZE, padding: CHIP_PADDING, alignment: ALIGNMENT_ID },
    embedding: { size: trainEx.x[0].length, normalize: "l2" },
    threshold,
    createdAt: new Date().toISOString(),
    training: {
      data: options.data,
      val: options.val ?? `${options.valSplit ?? 0.2} of data, stratified, seed ${seed}`,
      hidden: options.hidden ?? 0,
      ...fitOptions,
    },
  };
  const metrics = {
    valAccuracy: scored === valEx ? correct / scored.x.length : undefined,
    valExamples: valEx.x.length,
    trainExamples: trainEx.x.length,
    bestEpoch: fit.bestEpoch,
    epochsRun: fit.epochsRun,
    history: fit.history,
    seconds: { analyze: analyzeSeconds, fit: fitSeconds },
    cache: { ...analyzer.stats },
  };
  return {
    head,
    info,
    metrics,
    report: {
      failed,
      noFace,
      noMatchingFace,
      multiFace,
      warnings,
      counts: { train: trainRows.length, val: valRows.length, perPerson },
      validation,
    },
  };
}

async function predictRows(head: tf.LayersModel, rows: Float32Array[]): Promise<number[][]> {
  if (rows.length === 0) return [];
  const d = rows[0].length;
  const flat = new Float32Array(rows.length * d);
  rows.forEach((r, i) => flat.set(r, i * d));
  const out = tf.tidy(() => head.predict(tf.tensor2d(flat, [rows.length, d])) as tf.Tensor);
  const data = await out.data();
  out.dispose();
  const k = data.length / rows.length;
  return rows.map((_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
