/**
 * Train a recogniser from a folder-per-person photo collection: analyze every photo (cached),
 * pick the labelled person's face in each, split, fit the head, and calibrate each person's
 * threshold for strangers (with the faces of `_unknown/`, which is never a label).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { LayersModel } from "../backend/tf_types.ts";
import { type LabelledFile, scanDataset, type SkippedFile } from "../dataset/scan.ts";
import { stratifiedSplit } from "../dataset/split.ts";
import { sha256Hex } from "../dataset/cache.ts";
import { buildBackbone } from "../embed/backbone.ts";
import { embed } from "../embed/embed.ts";
import { ALIGNMENT_ID, CHIP_BYTES, type FaceAnalyzer } from "../embed/photo.ts";
import { BACKBONE_ID } from "../embed/weights.ts";
import { CHIP_PADDING, CHIP_SIZE } from "../face/align.ts";
import { buildHead } from "../head/head.ts";
import { MODEL_FORMAT, type ModelInfo } from "../head/model_io.ts";
import { calibrateOpenSet } from "../head/open_set.ts";
import { chooseThreshold } from "../head/threshold.ts";
import { normalize } from "../head/vectors.ts";
import type { Box } from "../face/geometry.ts";
import type { EpochLogs } from "./callbacks.ts";
import { chooseFaces } from "./choose_face.ts";
import { faceMarkerOf, markedFace } from "../dataset/face_marker.ts";
import { faceInRegion, regionDataset, type RegionLabelledPhoto } from "./region_labels.ts";
import { type AnalyzedFile, analyzeFiles, type FailedFile, type StepProgress } from "./collect.ts";
import type { AugmentLevel } from "./augment.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { DEFAULT_FINE_TUNE, fineTune } from "./fine_tune.ts";
import { DEFAULT_FIT, type Examples, fitClassifier } from "./fit.ts";

/** What to train on and how. */
export interface TrainOptions {
  /** Folder with one sub-folder per person. */
  data: string;
  /** Validation folder; when absent, `valSplit` of `data` is held out (stratified). */
  val?: string;
  /** Share of `data` held out for validation when there is no `val` (default 0.2). */
  valSplit?: number;
  /** Seed of the split, shuffles and initial weights (default 42). */
  seed?: number;
  /** Most epochs of the head; early stopping usually ends sooner. */
  epochs?: number;
  /** Examples per gradient step. */
  batchSize?: number;
  /** Adam's learning rate for the head. */
  learningRate?: number;
  /** Epochs without a better validation loss before stopping. */
  patience?: number;
  /** Hidden units in the head (0: linear). */
  hidden?: number;
  /** Most share of strangers a person's threshold may accept (default 0.05, see open_set.ts). */
  strangerAcceptance?: number;
  /** Residual stages of the backbone to fine-tune after the head converged (0: head only). */
  fineTune?: number;
  /** Learning rate of the fine-tuning phase (low, so the pretrained weights move little). */
  fineTuneLearningRate?: number;
  /** Most epochs of the fine-tuning phase. */
  fineTuneEpochs?: number;
  /** Augmentation of the chips while fine-tuning. */
  augment?: AugmentLevel;
  /** Where to keep checkpoints of this run (see `checkpointDir`); none when absent. */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` when it matches this run's data and settings. */
  resume?: boolean;
  /**
   * Faces named by regions instead of person folders, e.g. the XMP face regions of a photo
   * library: each region picks the face it covers, so a photo with several named regions gives
   * several training faces. `data` then only names the collection in messages and the model, and
   * `val` is not taken (validation is `valSplit` of the faces).
   */
  regions?: readonly RegionLabelledPhoto[];
  /** Progress of the per-photo steps. */
  onProgress?: (p: StepProgress) => void;
  /** Called after every epoch. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
}

/** How the trained head named the chosen face of one validation photo. */
export interface ValidationOutcome {
  /** The photo file. */
  path: string;
  /** The true person: the photo's folder. */
  label: string;
  /** The head's best guess, whatever the threshold. */
  predicted: string;
  /** The head's probability for `predicted`. */
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
  /** Faces used for training and validation, in all and per person. */
  counts: { train: number; val: number; perPerson: Record<string, { train: number; val: number }> };
  /** Faces in the `_unknown/` folders of `data` and `val`: strangers, never a label. */
  strangers: number;
  /** Every validation photo's outcome with the best weights; empty without validation photos. */
  validation: ValidationOutcome[];
}

/** A trained, not yet saved, model. */
export interface TrainResult {
  /** The trained classifier head, with the best epoch's weights. */
  head: LayersModel;
  /** The fine-tuned backbone, when fine-tuning ran. */
  backbone?: LayersModel;
  /** What saveModel writes to facefit.json. */
  info: ModelInfo;
  /** What saveModel writes to metrics.json: history, best epoch, timings, cache counts. */
  metrics: Record<string, unknown>;
  /** Photo-level facts for the user. */
  report: TrainReport;
}

/**
 * Train a recogniser.
 *
 * @throws Error when the data holds fewer than two people with usable photos.
 *
 * @example Train on a folder of photos and save the model
 * ```ts ignore
 * import { FaceAnalyzer, initBackend, saveModel, train } from "../../mod.ts";
 *
 * await initBackend("auto");
 * const analyzer = await FaceAnalyzer.load();
 * const result = await train(analyzer, { data: "photos/train", val: "photos/test" });
 * console.log(`${result.info.labels.length} people, validation accuracy ${result.metrics.valAccuracy}`);
 * await saveModel("models/friends", result);
 * ```
 */
export async function train(analyzer: FaceAnalyzer, options: TrainOptions): Promise<TrainResult> {
  const seed = options.seed ?? 42;
  const started = performance.now();
  const data = await readCollections(options);
  const photos = await analyzeCollections(analyzer, data, options);
  const analyzeSeconds = (performance.now() - started) / 1000;
  const picks = options.regions
    ? regionFaces(photos.analyzed, options.regions)
    : chosenFaces(photos.analyzed);
  const rows = splitRows(picks.usable, data, options, seed);
  const head = await fitHead(data, photos, rows, options, seed);
  const fineTuned = (options.fineTune ?? 0) > 0
    ? await fineTunePhase(analyzer, head, photos, rows, options, seed)
    : undefined;
  const scores = await scoreAndCalibrate(head.model, data, photos, rows, options, seed);

  const { labels } = data;
  const { trainRows, valRows, trainEx, valEx } = rows;
  const perPerson: TrainReport["counts"]["perPerson"] = {};
  for (const l of labels) perPerson[l] = { train: 0, val: 0 };
  trainRows.forEach((r) => perPerson[r.file.label].train++);
  valRows.forEach((r) => perPerson[r.file.label].val++);
  const info: ModelInfo = {
    format: MODEL_FORMAT,
    labels,
    backbone: fineTuned ? fineTuned.id : analyzer.backboneId,
    ...(fineTuned
      ? {
        fineTune: {
          stages: options.fineTune!,
          baseBackbone: analyzer.backboneId,
          learningRate: options.fineTuneLearningRate ?? DEFAULT_FINE_TUNE.learningRate,
          epochs: options.fineTuneEpochs ?? DEFAULT_FINE_TUNE.epochs,
          augment: options.augment ?? DEFAULT_FINE_TUNE.augment,
        },
      }
      : {}),
    chip: { size: CHIP_SIZE, padding: CHIP_PADDING, alignment: ALIGNMENT_ID },
    embedding: { size: trainEx.x[0].length, normalize: "l2" },
    threshold: scores.threshold,
    createdAt: new Date().toISOString(),
    training: {
      data: options.data,
      val: options.val ?? `${options.valSplit ?? 0.2} of data, stratified, seed ${seed}`,
      hidden: options.hidden ?? 0,
      ...head.fitOptions,
    },
    // Last: the centroids make it long.
    openSet: scores.openSet,
  };
  const metrics = {
    valAccuracy: scores.valAccuracy,
    valExamples: valEx.x.length,
    trainExamples: trainEx.x.length,
    bestEpoch: head.fit.bestEpoch,
    epochsRun: head.fit.epochsRun,
    history: fineTuned ? [...head.history, ...fineTuned.history] : head.history,
    fineTuneBestEpoch: fineTuned?.bestEpoch,
    seconds: { analyze: analyzeSeconds, fit: head.seconds, fineTune: fineTuned?.seconds },
    cache: { ...analyzer.stats },
  };
  return {
    head: head.model,
    backbone: fineTuned?.backbone,
    info,
    metrics,
    report: {
      failed: photos.failed,
      noFace: picks.noFace,
      noMatchingFace: picks.noMatchingFace,
      multiFace: picks.multiFace,
      warnings: data.warnings,
      counts: { train: trainRows.length, val: valRows.length, perPerson },
      strangers: photos.strangerRows.length,
      validation: scores.validation,
    },
  };
}

/** The photos to train on: the person folders (or named regions), the validation folder, strangers. */
interface Collections {
  labels: string[];
  /** Training and validation photos of the people, in that order. */
  all: LabelledFile[];
  valFiles: LabelledFile[];
  /** Whether validation photos come from a folder (else a split of the data). */
  valFolder: boolean;
  /** Photos of `_unknown/` in data, then in the validation folder. */
  strangerFiles: LabelledFile[];
  /** Strangers of the training data: they also train the head towards equal probabilities. */
  trainStrangers: Set<string>;
  skipped: SkippedFile[];
  warnings: string[];
}

/** Phase 1: read the folders (or the regions) and check there is something to learn. */
async function readCollections(options: TrainOptions): Promise<Collections> {
  if (options.regions && options.val) {
    throw new Error("Faces named by regions are validated on a split of them: give no val folder");
  }
  const dataset = options.regions
    ? regionDataset(options.data, options.regions)
    : await scanDataset(options.data);
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
  return {
    labels,
    all: [...dataset.files, ...valFiles],
    valFiles,
    valFolder: valSet !== undefined,
    strangerFiles: [...dataset.unknown, ...(valSet?.unknown ?? [])],
    trainStrangers: new Set(dataset.unknown.map((f) => f.path)),
    skipped: dataset.skipped,
    warnings,
  };
}

/** Every photo analysed, and every stranger face as a unit embedding. */
interface AnalyzedCollections {
  analyzed: AnalyzedFile[];
  failed: FailedFile[];
  strangerRows: { file: AnalyzedFile; face: number; x: Float32Array }[];
}

/** Phase 2: decode, detect, align and embed every photo (cached), then free the workers. */
async function analyzeCollections(
  analyzer: FaceAnalyzer,
  data: Collections,
  options: TrainOptions,
): Promise<AnalyzedCollections> {
  const { analyzed, failed } = await analyzeFiles(analyzer, data.all, options.onProgress);
  failed.push(...data.skipped.map((s) => ({ path: s.path, reason: s.reason })));
  // Every face of `_unknown/` is a stranger: calibration uses them all, the head those of `data`.
  const strangers = await analyzeFiles(
    analyzer,
    data.strangerFiles,
    options.onProgress,
    "strangers",
  );
  failed.push(...strangers.failed);
  await analyzer.releaseWorkers(); // training needs memory, not more lanes
  const strangerRows = strangers.analyzed.flatMap((file) =>
    file.record.faces.map((f, face) => ({ file, face, x: normalize(f.embedding) }))
  );
  return { analyzed, failed, strangerRows };
}

/** The training and validation faces, as rows and as examples for the head. */
interface Rows {
  trainRows: UsableFace[];
  valRows: UsableFace[];
  trainEx: Examples;
  valEx: Examples;
  /** The people with at least one training face. */
  present: Set<string>;
  /** How many people the head tells apart (every label, present or not). */
  classes: number;
}

/** Phase 3: validation faces from the folder, else a stratified split of the faces. */
function splitRows(
  usable: UsableFace[],
  data: Collections,
  options: TrainOptions,
  seed: number,
): Rows {
  const valPaths = new Set(data.valFiles.map((f) => f.path));
  let trainRows = usable.filter((u) => !valPaths.has(u.file.path));
  let valRows = usable.filter((u) => valPaths.has(u.file.path));
  if (!data.valFolder) {
    const split = stratifiedSplit(
      usable.map((u) => ({ ...u, label: u.file.label })),
      options.valSplit ?? 0.2,
      seed,
    );
    trainRows = split.train;
    valRows = split.val;
  }
  const present = new Set(trainRows.map((r) => r.file.label));
  const missing = data.labels.filter((l) => !present.has(l));
  if (present.size < 2) {
    throw new Error(
      `Only ${present.size} person(s) have a photo with a usable face in "${options.data}"; ` +
        "a recogniser needs at least 2",
    );
  }
  if (missing.length > 0) data.warnings.push(`No usable training photo for: ${missing.join(", ")}`);
  const toExamples = (rows: UsableFace[]): Examples => ({
    x: rows.map((r) => r.x),
    y: rows.map((r) => data.labels.indexOf(r.file.label)),
  });
  return {
    trainRows,
    valRows,
    trainEx: toExamples(trainRows),
    valEx: toExamples(valRows),
    present,
    classes: data.labels.length,
  };
}

/** The head after its phase, with what a fine-tuning phase continues from. */
interface FittedHead {
  model: tf.LayersModel;
  fit: { history: EpochLogs[]; bestEpoch: number; epochsRun: number };
  /** The head phase's epochs, marked phase 0. */
  history: EpochLogs[];
  fitOptions: {
    epochs: number;
    batchSize: number;
    learningRate: number;
    patience: number;
    seed: number;
  };
  seconds: number;
  /** Names this run's data and settings in checkpoints. */
  key: string;
  /** The checkpoint this run continues from, if any. */
  resumed: Awaited<ReturnType<typeof loadCheckpoint>>;
}

/** Phase 4: train the head on frozen embeddings (or take it from a matching checkpoint). */
async function fitHead(
  data: Collections,
  photos: AnalyzedCollections,
  rows: Rows,
  options: TrainOptions,
  seed: number,
): Promise<FittedHead> {
  const { trainEx, valEx } = rows;
  const model = buildHead({
    inputSize: trainEx.x[0].length,
    classes: data.labels.length,
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
  const started = performance.now();
  const negatives = photos.strangerRows
    .filter((r) => data.trainStrangers.has(r.file.path))
    .map((r) => r.x);
  // A checkpoint of the same data and settings lets an interrupted run continue.
  const ckpt = options.checkpointDir;
  const key = await sha256Hex(new TextEncoder().encode(JSON.stringify({
    files: data.all.map((f) => [f.path, f.label]),
    strangers: data.strangerFiles.map((f) => f.path),
    split: [rows.trainRows.length, rows.valRows.length],
    fitOptions,
    hidden: options.hidden ?? 0,
    fineTune: [
      options.fineTune ?? 0,
      options.fineTuneLearningRate,
      options.fineTuneEpochs,
      options.augment,
    ],
  })));
  const resumed = ckpt && options.resume ? await loadCheckpoint(ckpt, key) : undefined;
  let fit: FittedHead["fit"];
  if (resumed) {
    model.setWeights(resumed.head.getWeights());
    resumed.head.dispose();
    const phase0 = resumed.state.history.filter((h) => h.phase === 0);
    fit = {
      history: phase0,
      bestEpoch: resumed.state.headBestEpoch ?? phase0.length - 1,
      epochsRun: phase0.length,
    };
  } else {
    fit = await fitClassifier(model, {
      train: trainEx,
      val: valEx,
      classes: data.labels.length,
      negatives,
    }, {
      ...fitOptions,
      onEpochEnd: options.onEpochEnd,
    });
    if (ckpt) {
      await saveCheckpoint(ckpt, {
        key,
        phase: 0,
        epoch: fit.epochsRun - 1,
        headBestEpoch: fit.bestEpoch,
        history: fit.history.map((logs) => ({ ...logs, phase: 0 })),
      }, { head: model });
    }
  }
  return {
    model,
    fit,
    history: fit.history.map((logs) => ({ ...logs, phase: 0 })),
    fitOptions,
    seconds: (performance.now() - started) / 1000,
    key,
    resumed,
  };
}

/** What a fine-tuning phase gives: the backbone, its id, its epochs. */
interface FineTuned {
  backbone: tf.LayersModel;
  id: string;
  seconds: number;
  bestEpoch: number;
  /** The fine-tuning epochs, marked phase 1. */
  history: EpochLogs[];
}

/**
 * Phase 5 (optional): unfreeze the backbone's top stages and train them with the head, then
 * re-embed every row with the fine-tuned backbone, since the head now reads its embeddings.
 */
async function fineTunePhase(
  analyzer: FaceAnalyzer,
  head: FittedHead,
  photos: AnalyzedCollections,
  rows: Rows,
  options: TrainOptions,
  seed: number,
): Promise<FineTuned> {
  const started = performance.now();
  const { resumed, key, fit } = head;
  const ckpt = options.checkpointDir;
  const backbone = buildBackbone();
  copyWeights(resumed?.backbone ?? analyzer.backbone, backbone);
  resumed?.backbone?.dispose();
  const done = resumed?.state.phase === 1 ? resumed.state.history.filter((h) => h.phase === 1) : [];
  const chipsOf = (r: UsableFace[]) => gatherChips(analyzer, r, options.onProgress);
  const ft = await fineTune(backbone, head.model, {
    train: { chips: await chipsOf(rows.trainRows), y: rows.trainEx.y },
    val: { chips: await chipsOf(rows.valRows), y: rows.valEx.y },
    classes: rows.classes,
  }, {
    stages: options.fineTune!,
    learningRate: options.fineTuneLearningRate,
    epochs: options.fineTuneEpochs,
    augment: options.augment,
    seed,
    initialEpoch: done.length,
    onEpochEnd: (epoch, logs) => options.onEpochEnd?.(fit.epochsRun + epoch, { ...logs, phase: 1 }),
    afterEpoch: ckpt
      ? async (epoch, logs) => {
        done.push({ ...logs, phase: 1 });
        await saveCheckpoint(ckpt, {
          key,
          phase: 1,
          epoch,
          headBestEpoch: fit.bestEpoch,
          history: [...head.history, ...done],
        }, { head: head.model, backbone });
      }
      : undefined,
  });
  rows.trainEx.x = await embedRows(backbone, analyzer, rows.trainRows);
  rows.valEx.x = await embedRows(backbone, analyzer, rows.valRows);
  const reembedded = await embedRows(backbone, analyzer, photos.strangerRows);
  photos.strangerRows.forEach((r, i) => r.x = reembedded[i]);
  return {
    backbone,
    id: `${BACKBONE_ID}+finetuned-${(await weightsHash(backbone)).slice(0, 16)}`,
    seconds: (performance.now() - started) / 1000,
    bestEpoch: ft.bestEpoch,
    history: ckpt ? done : ft.history.map((logs) => ({ ...logs, phase: 1 })),
  };
}

/** Phase 6: validation figures from the restored best weights, and each person's threshold. */
async function scoreAndCalibrate(
  head: tf.LayersModel,
  data: Collections,
  photos: AnalyzedCollections,
  rows: Rows,
  options: TrainOptions,
  seed: number,
) {
  const { labels } = data;
  const { trainEx, valEx, valRows } = rows;
  const scored = valEx.x.length > 0 ? valEx : trainEx;
  const probs = await predictRows(head, scored.x);
  const best = probs.map(argmax);
  const correct = best.filter((b, i) => b === scored.y[i]).length;
  const threshold = chooseThreshold(
    probs.filter((_, i) => best[i] === scored.y[i]).map((p) => Math.max(...p)),
    labels.length,
  );
  const openSet = calibrateOpenSet(
    labels.filter((l) => rows.present.has(l)).map((label) => {
      const k = labels.indexOf(label);
      return {
        label,
        train: trainEx.x.filter((_, i) => trainEx.y[i] === k),
        heldOut: valEx.x.filter((_, i) => valEx.y[i] === k),
      };
    }),
    photos.strangerRows.map((r) => r.x),
    {
      strangerAcceptance: options.strangerAcceptance,
      heldOutSource: valEx.x.length === 0
        ? "held-out faces (none: no validation faces)"
        : options.val
        ? `faces of "${options.val}"`
        : `validation faces (${options.valSplit ?? 0.2} of the data, stratified, seed ${seed})`,
    },
  );
  const validation: ValidationOutcome[] = scored !== valEx ? [] : valRows.map((r, i) => ({
    path: r.file.path,
    label: r.file.label,
    predicted: labels[best[i]],
    probability: Math.max(...probs[i]),
    box: r.file.record.faces[r.face].box,
  }));
  const valAccuracy = scored === valEx ? correct / scored.x.length : undefined;
  return { threshold, openSet, validation, valAccuracy };
}

/** A training face: the photo (labelled with the face's person), its unit embedding, its index. */
type UsableFace = { file: AnalyzedFile; x: Float32Array; face: number };

/** What the face choice found, photo by photo. */
interface FacePicks {
  usable: UsableFace[];
  noFace: string[];
  noMatchingFace: string[];
  multiFace: TrainReport["multiFace"];
}

/** Folder labels: in each photo, the face nearest its person's centroid (see choose_face.ts). */
function chosenFaces(analyzed: AnalyzedFile[]): FacePicks {
  // Choose each photo's face with centroids from all labelled photos (validation labels are known too).
  const photos = analyzed.map((a) => ({
    label: a.label,
    embeddings: a.record.faces.map((f) => normalize(f.embedding)),
    areas: a.record.faces.map((f) => f.box.width * f.box.height),
    pinned: pinnedFace(a),
  }));
  const { choices } = chooseFaces(photos);
  const usable: UsableFace[] = [];
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
  return { usable, noFace, noMatchingFace, multiFace };
}

/** Region labels: every named region picks the face it covers (see region_labels.ts). */
function regionFaces(
  analyzed: AnalyzedFile[],
  labelled: readonly RegionLabelledPhoto[],
): FacePicks {
  const byPath = new Map(labelled.map((p) => [p.path, p.regions]));
  const picks: FacePicks = { usable: [], noFace: [], noMatchingFace: [], multiFace: [] };
  for (const a of analyzed) {
    if (a.record.faces.length === 0) picks.noFace.push(a.path);
    for (const region of byPath.get(a.path) ?? []) {
      const face = faceInRegion(a.record, region.box);
      if (face < 0) {
        picks.noMatchingFace.push(`${a.path} (${region.name})`);
        continue;
      }
      const x = normalize(a.record.faces[face].embedding);
      picks.usable.push({ file: { ...a, label: region.name }, x, face });
      if (a.record.faces.length > 1) {
        picks.multiFace.push({ path: a.path, faces: a.record.faces.length, chosen: face });
      }
    }
  }
  return picks;
}

/**
 * Copy weights layer by layer, by name: a model's flat weight list puts trainable weights first,
 * so its order changes with what is frozen.
 */
function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  for (const layer of from.layers) {
    const weights = layer.getWeights();
    if (weights.length > 0) to.getLayer(layer.name).setWeights(weights);
  }
}

/** The chosen face's chip of every row, `CHIP_BYTES` each. */
async function gatherChips(
  analyzer: FaceAnalyzer,
  rows: { file: AnalyzedFile; face: number }[],
  onProgress?: (p: StepProgress) => void,
): Promise<Uint8Array> {
  const out = new Uint8Array(rows.length * CHIP_BYTES);
  for (let i = 0; i < rows.length; i++) {
    const { chips } = await analyzer.chipsOf(rows[i].file.path);
    const f = rows[i].face;
    out.set(chips.subarray(f * CHIP_BYTES, (f + 1) * CHIP_BYTES), i * CHIP_BYTES);
    onProgress?.({ step: "chips", done: i + 1, total: rows.length, file: rows[i].file.path });
  }
  return out;
}

/** Unit embeddings of the rows' chosen faces under another backbone. */
async function embedRows(
  backbone: tf.LayersModel,
  analyzer: FaceAnalyzer,
  rows: { file: AnalyzedFile; face: number }[],
): Promise<Float32Array[]> {
  const chips = await gatherChips(analyzer, rows);
  const out: Float32Array[] = [];
  for (let start = 0; start < rows.length; start += 32) {
    const n = Math.min(32, rows.length - start);
    const e = tf.tidy(() =>
      embed(
        backbone,
        tf.tensor4d(chips.subarray(start * CHIP_BYTES, (start + n) * CHIP_BYTES), [
          n,
          CHIP_SIZE,
          CHIP_SIZE,
          3,
        ], "int32")
          .toFloat(),
      )
    );
    const data = await e.data();
    e.dispose();
    for (let i = 0; i < n; i++) out.push(normalize(data.subarray(i * 128, (i + 1) * 128)));
  }
  return out;
}

/** SHA-256 of a model's weights, naming a fine-tuned backbone in cache keys and model files. */
async function weightsHash(model: tf.LayersModel): Promise<string> {
  const parts = await Promise.all(model.getWeights().map((w) => w.data()));
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), o);
    o += p.byteLength;
  }
  return await sha256Hex(bytes);
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

/**
 * The face a file's name marks as the person (written by `facefit cluster` for photos with several
 * faces), when one of the photo's faces matches it.
 */
function pinnedFace(file: AnalyzedFile): number | undefined {
  const marker = faceMarkerOf(file.path);
  if (!marker) return undefined;
  const index = markedFace(file.record.faces.map((f) => f.box), marker);
  return index >= 0 ? index : undefined;
}
