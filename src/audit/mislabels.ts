/**
 * Suspected mislabels: photos whose face sits nearer another person's photos than its own
 * folder's. Each person's centroid is the mean of the faces chosen as that person (see
 * {@linkcode chooseFaces}); a photo is measured against its own person's centroid with itself left
 * out, so a wrong photo cannot pull its folder's centroid towards itself.
 *
 * @module
 */
import { distance, normalize } from "../head/vectors.ts";
import { chooseFaces, DEFAULT_MAX_DISTANCE, type FaceChoice } from "../train/choose_face.ts";
import type { FileRef } from "./exact_duplicates.ts";

/** A photo's faces as the mislabel finder needs them. */
export interface LabelledFaces extends FileRef {
  /** Content hash: copies count once in the centroids. */
  sha256: string;
  /** Unit-length embeddings, one per face. */
  embeddings: readonly Float32Array[];
  /** Face areas in pixels, to seed people who have no single-face photo. */
  areas: readonly number[];
}

/** Thresholds of {@linkcode findMislabels}. */
export interface MislabelOptions {
  /** How much nearer (embedding distance) another person's centroid must be to list a photo as an outlier. */
  margin?: number;
  /** How much nearer it must be to suspect a wrong label. */
  suspectMargin?: number;
  /** How many nearest photos (other contents) vote. */
  neighbours?: number;
  /** How many of them must show that other person to suspect a wrong label. */
  minVotes?: number;
  /** Largest distance at which a face counts as its person (see {@linkcode chooseFaces}). */
  maxDistance?: number;
}

/**
 * Default thresholds, measured on the fcbarcelona photos: a photo moved into the wrong folder
 * sits 0.18-0.24 nearer its true person with all 7 neighbours agreeing, while correctly labelled
 * faces in unusual poses (looking down, in profile, a hand over the mouth) reach a margin of 0.13
 * but with neighbours from several people.
 */
export const DEFAULT_MISLABEL_OPTIONS: Required<MislabelOptions> = {
  margin: 0.05,
  suspectMargin: 0.1,
  neighbours: 7,
  minVotes: 5,
  maxDistance: DEFAULT_MAX_DISTANCE,
};

/** A photo that may be in the wrong person's folder. */
export interface MislabelCandidate {
  /** The photo. */
  file: FileRef;
  /** The face looked at (index into the photo's faces). */
  face: number;
  /** Whether the face was chosen as the labelled person ("chosen"), or none was and this is the face most like someone else ("unmatched"). */
  kind: "chosen" | "unmatched";
  /** Distance to its own person's centroid (itself left out). */
  ownDistance: number;
  /** The person whose centroid is nearest, and how near. */
  nearest: { label: string; distance: number };
  /** How many of the nearest other photos show `nearest.label`. */
  votes: number;
  /** "suspected": probably in the wrong folder; "outlier": an unusual face of (probably) the right person. */
  level: "suspected" | "outlier";
}

/** The result of {@linkcode findMislabels}. */
export interface MislabelReport {
  /** Flagged photos: suspected first, then by margin, largest first. */
  candidates: MislabelCandidate[];
  /** The face chosen in each photo, in input order (-1: none). */
  choices: FaceChoice[];
}

/**
 * Flag photos whose face is nearer another person than its own.
 *
 * A photo with a chosen face is flagged when that face is at least `margin` nearer another
 * person's centroid. A photo with faces but none near its person (the person is not visible, or
 * the photo is in the wrong folder) is flagged when one of its faces is within `maxDistance` of
 * another person and `margin` nearer to them than any face is to its own person.
 */
export function findMislabels(
  photos: readonly LabelledFaces[],
  options: MislabelOptions = {},
): MislabelReport {
  const o = { ...DEFAULT_MISLABEL_OPTIONS, ...options };
  const { choices } = chooseFaces(
    photos.map((p) => ({ ...p, embeddings: [...p.embeddings], areas: [...p.areas] })),
    {
      maxDistance: o.maxDistance,
    },
  );
  // Per-person sums of the chosen faces, each content once, for leave-one-out centroids.
  const sums = new Map<string, { sum: Float32Array; shas: Set<string> }>();
  photos.forEach((p, i) => {
    const c = choices[i].index;
    if (c < 0) return;
    const entry = sums.get(p.label) ??
      { sum: new Float32Array(p.embeddings[c].length), shas: new Set() };
    if (entry.shas.has(p.sha256)) return;
    entry.shas.add(p.sha256);
    for (let k = 0; k < entry.sum.length; k++) entry.sum[k] += p.embeddings[c][k];
    sums.set(p.label, entry);
  });
  const centroids = new Map<string, Float32Array>();
  for (const [label, { sum }] of sums) centroids.set(label, normalize(sum));
  const found: {
    i: number;
    face: number;
    kind: MislabelCandidate["kind"];
    ownDistance: number;
    nearest: { label: string; distance: number };
  }[] = [];
  photos.forEach((p, i) => {
    if (p.embeddings.length === 0) return;
    const own = sums.get(p.label);
    const c = choices[i].index;
    const nearestOther = (e: Float32Array) => {
      let best = { label: "", distance: Infinity };
      for (const [label, cen] of centroids) {
        if (label === p.label) continue;
        const d = distance(e, cen);
        if (d < best.distance) best = { label, distance: d };
      }
      return best;
    };
    if (c >= 0) {
      const e = p.embeddings[c];
      // Leave the photo out of its own centroid; a person with one photo has nothing to compare with.
      if (!own || own.shas.size < 2) return;
      const ownDistance = distance(e, normalize(own.sum.map((v, k) => v - e[k])));
      const nearest = nearestOther(e);
      if (ownDistance - nearest.distance >= o.margin) {
        found.push({ i, face: c, kind: "chosen", ownDistance, nearest });
      }
      return;
    }
    const ownC = centroids.get(p.label);
    if (!ownC) return;
    const ownDistance = Math.min(...p.embeddings.map((e) => distance(e, ownC)));
    let pick: { face: number; nearest: { label: string; distance: number } } | undefined;
    p.embeddings.forEach((e, face) => {
      const nearest = nearestOther(e);
      if (!pick || nearest.distance < pick.nearest.distance) pick = { face, nearest };
    });
    if (
      pick && pick.nearest.distance <= o.maxDistance &&
      ownDistance - pick.nearest.distance >= o.margin
    ) {
      found.push({ i, face: pick.face, kind: "unmatched", ownDistance, nearest: pick.nearest });
    }
  });
  // The neighbours' vote tells a wrong folder (they all show the other person) from an odd pose.
  const chosen = photos.map((
    p,
    i,
  ) => (choices[i].index >= 0 ? p.embeddings[choices[i].index] : undefined));
  const candidates: MislabelCandidate[] = found.map((f) => {
    const e = photos[f.i].embeddings[f.face];
    const near = chosen
      .map((x, j) => ({
        j,
        d: x && photos[j].sha256 !== photos[f.i].sha256 ? distance(e, x) : Infinity,
      }))
      .filter((n) => Number.isFinite(n.d))
      .sort((a, b) => a.d - b.d)
      .slice(0, o.neighbours);
    const votes = near.filter((n) => photos[n.j].label === f.nearest.label).length;
    const suspected = f.ownDistance - f.nearest.distance >= o.suspectMargin && votes >= o.minVotes;
    return {
      file: ref(photos[f.i]),
      face: f.face,
      kind: f.kind,
      ownDistance: r3(f.ownDistance),
      nearest: r3n(f.nearest),
      votes,
      level: suspected ? "suspected" : "outlier",
    };
  });
  const margin = (c: MislabelCandidate) => c.ownDistance - c.nearest.distance;
  candidates.sort((a, b) =>
    Number(b.level === "suspected") - Number(a.level === "suspected") || margin(b) - margin(a)
  );
  return { candidates, choices };
}

function ref(p: FileRef): FileRef {
  return { path: p.path, split: p.split, label: p.label };
}

function r3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function r3n(n: { label: string; distance: number }) {
  return { label: n.label, distance: r3(n.distance) };
}
