/**
 * Build the HTML report of a training run or an evaluation, and write it atomically.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import type { BackendInfo } from "../backend/backend.ts";
import { type EvaluationReport, NO_FACE, UNREADABLE } from "../eval/evaluate.ts";
import type { ModelInfo } from "../head/model_io.ts";
import type { StepProgress } from "../train/collect.ts";
import type { TrainReport } from "../train/train.ts";
import { type HistoryEntry, renderReport, type ReportData, type Thumbnail } from "./html.ts";
import type { Outcome } from "./stats.ts";
import { photoThumbnail, type ThumbnailOptions } from "./thumbnails.ts";

/** The report's file name inside a model folder. */
export const REPORT_FILE = "report.html";

/** Options of both reports. */
export interface ReportOptions {
  /** The model folder, named in the report. */
  model: string;
  /** Most thumbnails per gallery (default 48); the rest are counted. */
  maxThumbnails?: number;
  /** How thumbnails are made (default 96 pixels high). */
  thumbnail?: ThumbnailOptions;
  /** The backend that ran, when not recorded in the metrics. */
  backend?: Pick<BackendInfo, "name" | "device">;
  /** Extra seconds per stage to show. */
  timings?: Record<string, number>;
  /** Progress of making thumbnails (step "report"). */
  onProgress?: (p: StepProgress) => void;
}

/** The parts of a `TrainResult` (what `train` returns) that the training report shows. */
export interface TrainingReportInput {
  /** The model's facefit.json. */
  info: ModelInfo;
  /** The model's metrics.json: history, best epoch, timings, backend. */
  metrics: Record<string, unknown>;
  /** What happened to the photos. */
  report: Pick<
    TrainReport,
    "failed" | "noFace" | "noMatchingFace" | "multiFace" | "warnings" | "counts" | "validation"
  >;
}

/** What `evaluationReport` needs besides the evaluation itself. */
export interface EvaluationReportOptions extends ReportOptions {
  /** The model's facefit.json. */
  info: ModelInfo;
  /** The model's metrics.json, for its training curves. */
  metrics?: Record<string, unknown>;
  /** The evaluated folder. */
  data: string;
}

interface PendingThumb {
  gallery: number;
  outcome: Outcome;
}

/**
 * The report of a training run, as HTML: dataset, curves, validation confusion matrix and
 * per-person figures, misclassified and face-less photos, threshold, configuration and timings.
 *
 * @example The report of a (tiny, made-up) training run
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainingReport } from "./build.ts";
 *
 * const html = await trainingReport({
 *   info: {
 *     format: 1,
 *     labels: ["Ada", "Bob"],
 *     backbone: "example",
 *     chip: { size: 150, padding: 0.25, alignment: "example" },
 *     embedding: { size: 128, normalize: "l2" },
 *     threshold: { value: 0.6, rule: "chosen by hand" },
 *     createdAt: "2025-01-01T00:00:00Z",
 *     training: { epochs: 2 },
 *   },
 *   metrics: { history: [{ loss: 0.9, val_loss: 1 }, { loss: 0.4, val_loss: 0.5 }], bestEpoch: 1, epochsRun: 2 },
 *   report: {
 *     failed: [],
 *     noFace: [],
 *     noMatchingFace: [],
 *     multiFace: [],
 *     warnings: [],
 *     counts: { train: 4, val: 1, perPerson: { Ada: { train: 2, val: 1 }, Bob: { train: 2, val: 0 } } },
 *     validation: [{ path: "Ada/3.jpg", label: "Ada", predicted: "Ada", probability: 0.9, box: { x: 0, y: 0, width: 9, height: 9 } }],
 *   },
 * }, { model: "models/example" });
 * assert.match(html, /<h1>Training report<\/h1>/);
 * assert.match(html, /data-series="val_loss"/);
 * ```
 */
export async function trainingReport(
  result: TrainingReportInput,
  options: ReportOptions,
): Promise<string> {
  const { info, metrics, report } = result;
  const labels = info.labels;
  const validation: Outcome[] = report.validation;
  const wrong = validation.filter((o) => o.predicted !== o.label);
  const noFace = report.noFace.map((path) => ({
    path,
    label: labelOf(path, labels),
    predicted: NO_FACE,
    probability: 0,
  }));
  const seconds = (metrics.seconds ?? {}) as Record<string, number>;
  const valAccuracy = typeof metrics.valAccuracy === "number" ? metrics.valAccuracy : undefined;
  const bestEpoch = typeof metrics.bestEpoch === "number" ? metrics.bestEpoch : undefined;
  const data: ReportData = {
    title: "Training report",
    subject: options.model,
    createdAt: info.createdAt,
    summary: [
      { label: "people", value: String(labels.length) },
      { label: "training faces", value: String(report.counts.train) },
      { label: "validation faces", value: String(report.counts.val) },
      ...(valAccuracy !== undefined
        ? [{ label: "validation accuracy", value: `${(valAccuracy * 100).toFixed(1)}%` }]
        : []),
      ...(bestEpoch !== undefined
        ? [{ label: "best epoch", value: `${bestEpoch + 1}`, note: `of ${metrics.epochsRun}` }]
        : []),
      {
        label: openSetNote(info) ? "probability threshold" : "unknown below",
        value: String(info.threshold.value),
      },
      ...(seconds.total !== undefined ? [{ label: "time", value: duration(seconds.total) }] : []),
    ],
    warnings: report.warnings,
    dataset: {
      columns: ["train", "val"],
      rows: labels.map((name) => ({
        name,
        counts: [
          report.counts.perPerson[name]?.train ?? 0,
          report.counts.perPerson[name]?.val ?? 0,
        ],
      })),
    },
    photoLists: [
      { title: "Unreadable files", items: report.failed.map((f) => `${f.path}: ${f.reason}`) },
      { title: "No face close to the folder's person (not used)", items: report.noMatchingFace },
      {
        title: "Photos with several faces",
        items: report.multiFace.map((m) =>
          `${m.path}: ${m.faces} faces, used face ${m.chosen + 1}`
        ),
      },
    ],
    history: metrics.history as HistoryEntry[] | undefined,
    bestEpoch,
    outcomes: validation.length > 0
      ? { caption: "Validation photos", labels, photos: validation }
      : undefined,
    galleries: await galleries(
      [["Misclassified validation photos", wrong], ["No face found", noFace]],
      options,
    ),
    threshold: { ...info.threshold, decidedBy: openSetNote(info) },
    run: {
      config: { ...info.training, backbone: info.backbone, chip: info.chip, labels },
      backend: options.backend ?? (metrics.backend as BackendInfo | undefined),
      timings: { ...seconds, ...options.timings },
    },
  };
  return renderReport(data);
}

/**
 * The report of an evaluation, as HTML: accuracy, confusion matrix, per-person figures,
 * misclassified and face-less photos, the threshold curve, and the model's training curves.
 *
 * @example The report of a (made-up) evaluation
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluationReport } from "./build.ts";
 *
 * const html = await evaluationReport({
 *   accuracy: 0.5,
 *   total: 2,
 *   correct: 1,
 *   noFace: 1,
 *   belowThreshold: 0,
 *   perClass: { Ada: { total: 1, correct: 1 }, Bob: { total: 1, correct: 0 } },
 *   confusion: { Ada: { Ada: 1 }, Bob: { "(no face)": 1 } },
 *   failed: [],
 *   ignoredFolders: [],
 *   photos: [
 *     { path: "Ada/1.jpg", label: "Ada", predicted: "Ada", probability: 0.9, belowThreshold: false, faces: 1 },
 *     { path: "Bob/1.jpg", label: "Bob", predicted: "(no face)", probability: 0, belowThreshold: false, faces: 0 },
 *   ],
 * }, {
 *   model: "models/example",
 *   data: "photos/test",
 *   info: {
 *     format: 1,
 *     labels: ["Ada", "Bob"],
 *     backbone: "example",
 *     chip: { size: 150, padding: 0.25, alignment: "example" },
 *     embedding: { size: 128, normalize: "l2" },
 *     threshold: { value: 0.6, rule: "chosen by hand" },
 *     createdAt: "2025-01-01T00:00:00Z",
 *     training: {},
 *   },
 * });
 * assert.match(html, /1 of 2 photos named correctly/);
 * ```
 */
export async function evaluationReport(
  evaluation: EvaluationReport,
  options: EvaluationReportOptions,
): Promise<string> {
  const { info, metrics } = options;
  const labels = info.labels;
  const isPerson = new Set(labels);
  const wrong = evaluation.photos.filter((p) =>
    isPerson.has(p.predicted) && p.predicted !== p.label
  );
  const noFace = evaluation.photos.filter((p) => p.predicted === NO_FACE);
  const data: ReportData = {
    title: "Evaluation report",
    subject: `${options.model} on ${options.data}`,
    createdAt: new Date().toISOString(),
    summary: [
      {
        label: "accuracy",
        value: `${(evaluation.accuracy * 100).toFixed(1)}%`,
        note: `${evaluation.correct} of ${evaluation.total}`,
      },
      { label: "photos", value: String(evaluation.total) },
      { label: "no face", value: String(evaluation.noFace) },
      {
        label: "below threshold",
        value: String(evaluation.belowThreshold),
        note: "would be unknown",
      },
      { label: "unreadable", value: String(evaluation.failed.length) },
    ],
    // With open-set figures those folders are scored, as strangers.
    warnings: (evaluation.openSet ? [] : evaluation.ignoredFolders).map((f) =>
      `Folder "${f}" is not one of the model's people: not scored`
    ),
    dataset: {
      columns: ["photos"],
      rows: labels.map((name) => ({ name, counts: [evaluation.perClass[name]?.total ?? 0] })),
    },
    photoLists: [{
      title: "Unreadable files",
      items: evaluation.failed.map((f) => `${f.path}: ${f.reason}`),
    }],
    history: metrics?.history as HistoryEntry[] | undefined,
    bestEpoch: typeof metrics?.bestEpoch === "number" ? metrics.bestEpoch : undefined,
    outcomes: { caption: `Photos of "${options.data}"`, labels, photos: evaluation.photos },
    galleries: await galleries(
      [["Misclassified photos", wrong], ["No face found", noFace]],
      options,
    ),
    threshold: { ...info.threshold, decidedBy: openSetNote(info) },
    strangers: evaluation.openSet && info.openSet
      ? {
        knownAccuracy: evaluation.openSet.known.accuracy,
        rejection: evaluation.openSet.unknown.rejection,
        photos: {
          known: evaluation.openSet.known.total,
          unknown: evaluation.openSet.unknown.total,
        },
        thresholds: Object.values(info.openSet.people).map((p) => p.threshold),
        curve: evaluation.openSet.curve,
      }
      : undefined,
    run: {
      config: {
        data: options.data,
        model: options.model,
        backbone: info.backbone,
        labels,
        trained: info.createdAt,
      },
      backend: options.backend,
      timings: { ...options.timings },
    },
  };
  return renderReport(data);
}

async function galleries(
  groups: [string, readonly Outcome[]][],
  options: ReportOptions,
): Promise<ReportData["galleries"]> {
  const max = options.maxThumbnails ?? 48;
  const pending: PendingThumb[] = groups.flatMap(([, outcomes], gallery) =>
    outcomes.slice(0, max).map((outcome) => ({ gallery, outcome }))
  );
  const out: ReportData["galleries"] = groups.map(([title, outcomes]) => ({
    title,
    items: [],
    more: Math.max(0, outcomes.length - max),
  }));
  for (let i = 0; i < pending.length; i++) {
    const { gallery, outcome: o } = pending[i];
    const item: Thumbnail = {
      path: o.path,
      truth: o.label,
      predicted: o.predicted,
      probability: o.predicted === NO_FACE || o.predicted === UNREADABLE
        ? undefined
        : o.probability,
    };
    try {
      item.src = await photoThumbnail(o.path, o.box, options.thumbnail);
    } catch (error) {
      item.error = error instanceof Error ? error.message : String(error);
    }
    out[gallery].items.push(item);
    options.onProgress?.({ step: "report", done: i + 1, total: pending.length, file: o.path });
  }
  return out;
}

/**
 * What decides `unknown` when the model has per-person open-set calibration (facefit.json
 * `openSet`); undefined for a model that uses the probability threshold.
 */
function openSetNote(info: ModelInfo): string | undefined {
  const openSet = (info as { openSet?: { rule?: unknown } }).openSet;
  if (!openSet) return undefined;
  return "This model calls a face unknown by its distance to each person's centroid, with a " +
    "threshold per person" + (typeof openSet.rule === "string" ? ` (${openSet.rule})` : "") +
    "; facefit.json lists them under openSet.";
}

/** "8m26s" or "4.1 s". */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** The person of a photo path: the nearest enclosing folder that is a label. */
function labelOf(path: string, labels: readonly string[]): string {
  const parts = dirname(path).split(/[\\/]/);
  for (let i = parts.length - 1; i >= 0; i--) if (labels.includes(parts[i])) return parts[i];
  return basename(dirname(path));
}

/**
 * Write a report file atomically (a temporary sibling renamed into place), creating its folder.
 *
 * @throws Error naming the path when it cannot be written.
 *
 * @example Write a page next to nothing else
 * ```ts
 * import assert from "node:assert/strict";
 * import { REPORT_FILE, writeReport } from "./build.ts";
 *
 * const path = `${await Deno.makeTempDir()}/models/friends/${REPORT_FILE}`;
 * await writeReport(path, "<!DOCTYPE html><title>report</title>");
 * assert.equal(await Deno.readTextFile(path), "<!DOCTYPE html><title>report</title>");
 * ```
 */
export async function writeReport(path: string, html: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${crypto.randomUUID().slice(0, 8)}`);
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(tmp, html);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(
      `Cannot write the report to "${path}": ${error instanceof Error ? error.message : error}; ` +
        "choose another place with --report PATH",
    );
  }
}

/** Where a report goes by default: `report.html` in the model folder. */
export function defaultReportPath(model: string): string {
  return join(model, REPORT_FILE);
}
