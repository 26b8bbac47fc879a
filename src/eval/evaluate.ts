/**
 * Score a trained recogniser on a labelled folder of photos.
 *
 * @module
 */
import { scanDataset } from "../dataset/scan.ts";
import type { Box } from "../face/geometry.ts";
import { type Recognizer, UNKNOWN } from "../head/recognizer.ts";
import { analyzeFiles, type FailedFile, type StepProgress } from "../train/collect.ts";
import {
  openSetFigures,
  type OpenSetOutcome,
  openSetOutcome,
  type OpenSetReport,
} from "./open_set.ts";

/** The predicted name of a photo where no face was found. */
export const NO_FACE = "(no face)";
/** The predicted name of a photo that could not be read or decoded. */
export const UNREADABLE = "(unreadable)";

/** The outcome for one photo. */
export interface PhotoOutcome {
  /** The photo file. */
  path: string;
  /** The true person: the photo's folder. */
  label: string;
  /** The best guess of the most confident face, or {@linkcode NO_FACE} / {@linkcode UNREADABLE}. */
  predicted: string;
  /** Probability of the predicted person; 0 with no face. */
  probability: number;
  /** Whether that face is called unknown (its person's threshold does not accept it). */
  belowThreshold: boolean;
  /** How many faces were found. */
  faces: number;
  /** The top face's box in the upright photo's pixels; absent when no face was found. */
  box?: Box;
}

/** Evaluation figures. `accuracy = correct / total` over every photo of the known people. */
export interface EvaluationReport {
  /** correct / total, rounded to 4 decimals. */
  accuracy: number;
  /** Photos of the model's people. */
  total: number;
  /** Photos whose prediction is their folder's person. */
  correct: number;
  /** Photos where no face was found (counted as wrong). */
  noFace: number;
  /** Photos whose top face is called unknown, even when the best guess is right. */
  belowThreshold: number;
  /** Photos and correct predictions per person. */
  perClass: Record<string, { total: number; correct: number }>;
  /** `confusion[trueName][predictedName]` = count. */
  confusion: Record<string, Record<string, number>>;
  /** Files that could not be read or decoded (counted as wrong). */
  failed: FailedFile[];
  /** Folders whose name is not one of the model's people: not scored. */
  ignoredFolders: string[];
  /** Every photo's outcome. */
  photos: PhotoOutcome[];
  /** With the `openSet` option: known accuracy and stranger rejection, see open_set.ts. */
  openSet?: OpenSetReport;
}

/** Per-call options. */
export interface EvaluateOptions {
  /** One threshold for everyone instead of the model's, as `RecognizeOptions.threshold`. */
  threshold?: number;
  /**
   * Also score photos of people the model does not know: every folder that is not one of its
   * people, and `_unknown/`.
   */
  openSet?: boolean;
  /** Progress of the per-photo analysis. */
  onProgress?: (p: StepProgress) => void;
}

/**
 * Evaluate on a folder-per-person dataset. A photo's prediction is its most confident face (the
 * head's best guess, whatever the threshold); a photo with no face, or one that cannot be
 * decoded, counts as wrong. With `openSet`, the report also has open-set figures.
 *
 * @throws Error when `openSet` is asked of a model without open-set calibration.
 *
 * @example Score a saved model on labelled photos
 * ```ts ignore
 * import { evaluate, initBackend, Recognizer } from "../../mod.ts";
 *
 * await initBackend("auto");
 * const recognizer = await Recognizer.load("models/friends");
 * const report = await evaluate(recognizer, "photos/test");
 * console.log(`accuracy ${report.accuracy}, confused:`, report.confusion);
 * recognizer.dispose();
 * ```
 */
export async function evaluate(
  recognizer: Recognizer,
  dataDir: string,
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  const dataset = await scanDataset(dataDir);
  const known = new Set(recognizer.info.labels);
  const files = dataset.files.filter((f) => known.has(f.label));
  const ignoredFolders = dataset.labels.filter((l) => !known.has(l));
  if (options.openSet && !recognizer.info.openSet) {
    throw new Error(
      "This model has no per-person open-set thresholds (it was trained by an older facefit); " +
        "retrain it to evaluate with --open-set",
    );
  }
  const strangers = options.openSet
    ? [...dataset.files.filter((f) => !known.has(f.label)), ...dataset.unknown]
    : [];
  const { analyzed, failed } = await analyzeFiles(
    recognizer.analyzer,
    [...files, ...strangers],
    options.onProgress,
    "evaluate",
  );
  const photos: PhotoOutcome[] = [];
  const open: OpenSetOutcome[] = [];
  for (const a of analyzed) {
    const result = await recognizer.recognizeRecord(a.record, { threshold: options.threshold });
    const isKnown = known.has(a.label);
    if (options.openSet) {
      open.push(openSetOutcome({ path: a.path, label: a.label, known: isKnown }, result.faces));
    }
    if (!isKnown) continue;
    const top = result.faces.reduce<typeof result.faces[number] | undefined>(
      (best, f) => (best === undefined || f.probability > best.probability ? f : best),
      undefined,
    );
    photos.push({
      path: a.path,
      label: a.label,
      predicted: top ? top.bestGuess : NO_FACE,
      probability: top ? round4(top.probability) : 0,
      belowThreshold: top ? top.name === UNKNOWN : false,
      faces: result.faces.length,
      ...(top ? { box: top.box } : {}),
    });
  }
  for (const f of failed) {
    const label = [...files, ...strangers].find((x) => x.path === f.path)?.label;
    if (label && options.openSet) {
      open.push(openSetOutcome({ path: f.path, label, known: known.has(label) }, []));
    }
    if (label && known.has(label)) {
      photos.push({
        path: f.path,
        label,
        predicted: UNREADABLE,
        probability: 0,
        belowThreshold: false,
        faces: 0,
      });
    }
  }
  const perClass: EvaluationReport["perClass"] = {};
  const confusion: EvaluationReport["confusion"] = {};
  for (const l of recognizer.info.labels) {
    perClass[l] = { total: 0, correct: 0 };
    confusion[l] = {};
  }
  for (const p of photos) {
    perClass[p.label].total++;
    if (p.predicted === p.label) perClass[p.label].correct++;
    confusion[p.label][p.predicted] = (confusion[p.label][p.predicted] ?? 0) + 1;
  }
  const correct = photos.filter((p) => p.predicted === p.label).length;
  return {
    accuracy: photos.length ? round4(correct / photos.length) : 0,
    total: photos.length,
    correct,
    noFace: photos.filter((p) => p.predicted === NO_FACE).length,
    belowThreshold: photos.filter((p) => p.belowThreshold).length,
    perClass,
    confusion,
    failed: [...failed, ...dataset.skipped.map((s) => ({ path: s.path, reason: s.reason }))],
    ignoredFolders,
    photos,
    ...(options.openSet ? { openSet: openSetFigures(open) } : {}),
  };
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
