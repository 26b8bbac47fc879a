/**
 * Telling strangers from known people. The head's softmax always names someone, so it names;
 * whether to believe it is decided by distance: a face is `unknown` when its unit embedding lies
 * farther from the named person's centroid than that person's threshold.
 *
 * Each person's threshold is calibrated on faces that the centroids never saw. Strangers are the
 * faces of `_unknown/` and, since few collections have those, the faces of the other known people,
 * each measured against the remaining people's centroids as if their own person were unknown
 * (leave one person out). A person's threshold accepts at most a target share of the strangers
 * that would be named as them; with few such strangers it leans on the threshold pooled over all
 * people.
 *
 * @module
 */
import { centroid, distance } from "./vectors.ts";

/** The open-set calibration of a model, stored in facefit.json as `openSet`. */
export interface OpenSetInfo {
  /** The score: distance of the face's unit embedding to the named person's centroid (0..2). */
  score: "centroid-distance";
  /** How the thresholds were chosen, in words: the target and the data. */
  rule: string;
  /** The target: the most stranger faces a person's threshold may accept, as a share. */
  strangerAcceptance: number;
  /** How many stranger faces the pooled threshold weighs in each person's threshold. */
  shrinkage: number;
  /** The threshold over all people's strangers together. */
  pooled: number;
  /** The calibration data. */
  data: OpenSetData;
  /** Each person's threshold and what it accepts of the calibration data. */
  people: Record<string, PersonThreshold>;
  /** Each person's centroid: the unit mean of their training faces' unit embeddings. */
  centroids: Record<string, number[]>;
}

/** Where the calibration faces came from. */
export interface OpenSetData {
  /** Which faces of each person are held out (never in a centroid), e.g. "validation faces". */
  heldOut: string;
  /** Faces of the other known people used as strangers. */
  otherPeopleFaces: number;
  /** Faces from `_unknown/` folders used as strangers. */
  unknownFaces: number;
}

/** One person's threshold and its figures on the calibration data. */
export interface PersonThreshold {
  /** A face farther than this from the person's centroid is unknown. */
  threshold: number;
  /** The person's held-out faces, and the share of them the threshold accepts (absent for none). */
  heldOut: { faces: number; accepted?: number };
  /** Strangers whose nearest centroid is this person's, and the share accepted (absent for none). */
  strangers: { faces: number; accepted?: number };
}

/** One known person's faces for calibration, as unit embeddings. */
export interface CalibrationPerson {
  /** The person's name. */
  label: string;
  /** Training faces: the centroid is built from these. */
  train: readonly ArrayLike<number>[];
  /** Held-out faces (e.g. validation): measure how many of the person's faces are accepted. */
  heldOut: readonly ArrayLike<number>[];
}

/** Per-call options of {@linkcode calibrateOpenSet}. */
export interface CalibrateOptions {
  /** Most stranger faces a threshold may accept, as a share (default 0.05). */
  strangerAcceptance?: number;
  /** Weight, in stranger faces, of the pooled threshold in each person's (default 20). */
  shrinkage?: number;
  /** Least share of a person's held-out faces the threshold accepts (default 0.5). */
  minHeldOutAcceptance?: number;
  /** Describes the held-out faces in the stored rule (default "held-out faces"). */
  heldOutSource?: string;
}

/** Defaults of {@linkcode CalibrateOptions}, measured leaving one player out on fcbarcelona. */
export const DEFAULT_CALIBRATION: Required<CalibrateOptions> = {
  strangerAcceptance: 0.05,
  shrinkage: 20,
  minHeldOutAcceptance: 0.5,
  heldOutSource: "held-out faces",
};

/**
 * Calibrate one distance threshold per person.
 *
 * For person `c` with stranger distances `S_c` (strangers whose nearest centroid is `c`'s), the
 * threshold is `(n_c * q(S_c) + m * q(S)) / (n_c + m)`, where `q` is the `strangerAcceptance`
 * quantile, `S` all stranger distances and `m` the `shrinkage`; it is then raised, if needed, to
 * accept `minHeldOutAcceptance` of the person's held-out faces.
 *
 * @param people at least two people; each needs a training face.
 * @param unknown faces of strangers (e.g. `_unknown/`), unit embeddings.
 * @throws RangeError for fewer than two people, a person without training faces or a bad option.
 */
export function calibrateOpenSet(
  people: readonly CalibrationPerson[],
  unknown: readonly ArrayLike<number>[],
  options: CalibrateOptions = {},
): OpenSetInfo {
  const opts = { ...DEFAULT_CALIBRATION, ...definedOnly(options) };
  checkShare(opts.strangerAcceptance, "strangerAcceptance");
  checkShare(opts.minHeldOutAcceptance, "minHeldOutAcceptance");
  if (!(opts.shrinkage >= 0)) {
    throw new RangeError(`Invalid shrinkage "${opts.shrinkage}": use a number of faces >= 0`);
  }
  if (people.length < 2) {
    throw new RangeError(
      `Open-set calibration needs at least 2 people, got ${people.length}; add a folder per person`,
    );
  }
  const empty = people.find((p) => p.train.length === 0);
  if (empty) {
    throw new RangeError(
      `Person "${empty.label}" has no training face to build a centroid from; add photos`,
    );
  }
  // Rounded as stored, so that predict measures exactly what calibration measured.
  const centroids = people.map((p) => Float32Array.from(centroid(p.train)!, round6));
  const claimed: number[][] = people.map(() => []);
  const claim = (face: ArrayLike<number>, skip: number) => {
    let best = -1, bestD = Infinity;
    centroids.forEach((c, k) => {
      if (k === skip) return;
      const d = distance(face, c);
      if (d < bestD) [best, bestD] = [k, d];
    });
    claimed[best].push(bestD);
  };
  // Each person's faces as strangers to the others: their own centroid is left out.
  people.forEach((p, k) => [...p.train, ...p.heldOut].forEach((face) => claim(face, k)));
  unknown.forEach((face) => claim(face, -1));
  const all = claimed.flat();
  const pooled = quantile(all, opts.strangerAcceptance);
  const m = opts.shrinkage;
  const result: Record<string, PersonThreshold> = {};
  people.forEach((p, k) => {
    const s = claimed[k];
    let t = s.length > 0
      ? (s.length * quantile(s, opts.strangerAcceptance) + m * pooled) / (s.length + m)
      : pooled;
    const own = p.heldOut.map((face) => distance(face, centroids[k]));
    if (own.length > 0 && opts.minHeldOutAcceptance > 0) {
      t = Math.max(t, quantile(own, opts.minHeldOutAcceptance));
    }
    t = round4(t);
    result[p.label] = {
      threshold: t,
      heldOut: { faces: own.length, ...share(own, t) },
      strangers: { faces: s.length, ...share(s, t) },
    };
  });
  const otherPeopleFaces = all.length - unknown.length;
  const pct = Math.round(opts.strangerAcceptance * 1000) / 10;
  return {
    score: "centroid-distance",
    rule: `a face is unknown when it is farther from the named person's centroid than that ` +
      `person's threshold; each threshold accepts at most ${pct}% of the stranger faces that ` +
      `would be named as that person (pooled over all people with the weight of ${m} faces, ` +
      `and accepting at least ${Math.round(opts.minHeldOutAcceptance * 100)}% of the person's ` +
      `${opts.heldOutSource}). Strangers: ${unknown.length} faces from _unknown/ and ` +
      `${otherPeopleFaces} faces of the known people, each person's faces measured against the ` +
      `other people's centroids as if that person were unknown`,
    strangerAcceptance: opts.strangerAcceptance,
    shrinkage: m,
    pooled: round4(pooled),
    data: { heldOut: opts.heldOutSource, otherPeopleFaces, unknownFaces: unknown.length },
    people: result,
    centroids: Object.fromEntries(people.map((p, k) => [p.label, Array.from(centroids[k])])),
  };
}

/**
 * Distance of a unit embedding to a person's stored centroid.
 *
 * @throws RangeError when the model has no centroid for `label`.
 */
export function centroidDistance(
  openSet: OpenSetInfo,
  label: string,
  embedding: ArrayLike<number>,
): number {
  const c = openSet.centroids[label];
  if (!c) {
    throw new RangeError(
      `The model's open-set calibration has no centroid for "${label}"; retrain the model`,
    );
  }
  return distance(embedding, c);
}

/**
 * The `q` quantile of values, interpolating linearly between order statistics.
 *
 * @throws RangeError for no values or `q` outside [0, 1].
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError("Cannot take a quantile of no values");
  checkShare(q, "quantile");
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

function share(distances: readonly number[], threshold: number): { accepted?: number } {
  if (distances.length === 0) return {};
  return { accepted: round4(distances.filter((d) => d <= threshold).length / distances.length) };
}

function checkShare(v: number, name: string): void {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`Invalid ${name} "${v}": use a share in [0, 1]`);
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
