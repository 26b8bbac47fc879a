/**
 * Near-duplicates: the same photo saved twice with different bytes (re-encoded, resized, or
 * cropped). Two routes find them:
 *
 * - hash: the whole pictures look alike (dHash and pHash both within a few bits). Catches
 *   re-encoding and resizing, and the lightest crops.
 * - face: a face in each photo has nearly the same embedding, and once one photo is mapped onto the
 *   other by the similarity that takes one face's landmarks onto the other's, their thumbnails agree
 *   pixel for pixel over the shared area. Catches crops, which move every pixel and defeat the
 *   hashes; the pixel check tells a crop from another frame of the same moment, whose face
 *   embedding is as close but whose pixels are not.
 *
 * @module
 */
import {
  applySimilarity,
  type Box,
  fitSimilarity,
  type Point,
  type Similarity,
} from "../face/geometry.ts";
import { distance } from "../head/vectors.ts";
import type { FileRef, HashedFile } from "./exact_duplicates.ts";
import { decodeGray, type GrayImage, type ImageFingerprint } from "./perceptual_hash.ts";

/** A face as the near-duplicate finder needs it. */
export interface FaceGeometry {
  /** The face's box in the upright photo's pixels. */
  box: Box;
  /** Its 68 landmarks, to align the two photos' thumbnails. */
  landmarks: readonly Point[];
  /** Unit-length embedding. */
  embedding: ArrayLike<number>;
}

/** A photo as the near-duplicate finder needs it. */
export interface NearDuplicateInput extends HashedFile {
  /** Its perceptual hashes and thumbnail; undefined when it could not be decoded. */
  fingerprint: ImageFingerprint | undefined;
  /** Its faces; empty when none were found or faces were not analyzed. */
  faces: readonly FaceGeometry[];
}

/** Thresholds of {@linkcode findNearDuplicates}. */
export interface NearDuplicateOptions {
  /** Most differing dHash bits for the hash route (of 64). */
  maxDHash?: number;
  /** Most differing pHash bits for the hash route (of 64). */
  maxPHash?: number;
  /** Largest embedding distance (unit vectors) of two faces for the face route. */
  maxFaceDistance?: number;
  /** Faces smaller than this (box side, pixels) have unreliable embeddings and are not compared. */
  minFaceSide?: number;
  /** Least Pearson correlation of the aligned thumbnails for the face route. */
  minCorrelation?: number;
}

/** Default thresholds, measured on the fcbarcelona photos. */
export const DEFAULT_NEAR_DUPLICATE_OPTIONS: Required<NearDuplicateOptions> = {
  maxDHash: 10,
  maxPHash: 12,
  maxFaceDistance: 0.25,
  minFaceSide: 40,
  minCorrelation: 0.93,
};

/** Two different files that hold the same photo. */
export interface NearDuplicatePair {
  /** One file. */
  a: FileRef;
  /** The other file. */
  b: FileRef;
  /** Which route found them. */
  via: "hash" | "face";
  /** Differing difference-hash bits (of 64). */
  dHash: number;
  /** Differing DCT-hash bits (of 64). */
  pHash: number;
  /** Embedding distance of the matched faces (face route). */
  faceDistance?: number;
  /** Correlation of the aligned thumbnails (face route). */
  correlation?: number;
  /** Whether the two files sit in different splits (leakage). */
  crossSplit: boolean;
}

/** Files that all hold the same photo, exact copies included, with the evidence. */
export interface NearDuplicateGroup {
  /** Every file of the group. */
  files: FileRef[];
  /** The pairs that joined them. */
  pairs: NearDuplicatePair[];
  /** The splits the files sit in. */
  splits: string[];
  /** The person folders the files sit in. */
  labels: string[];
}

/**
 * Find near-duplicates among photos. Exact copies (same SHA-256) are compared once and are not
 * reported as pairs, but appear in the groups so that a group lists every copy.
 */
export function findNearDuplicates(
  inputs: readonly NearDuplicateInput[],
  options: NearDuplicateOptions = {},
): { pairs: NearDuplicatePair[]; groups: NearDuplicateGroup[] } {
  const o = { ...DEFAULT_NEAR_DUPLICATE_OPTIONS, ...options };
  const bySha = new Map<string, number[]>();
  inputs.forEach((f, i) => {
    if (!f.sha256 || !f.fingerprint) return;
    const list = bySha.get(f.sha256) ?? [];
    list.push(i);
    bySha.set(f.sha256, list);
  });
  const reps = [...bySha.values()].map((list) => list[0]);
  const prepared = reps.map((i) => prepare(inputs[i], o.minFaceSide));
  const pairs: NearDuplicatePair[] = [];
  const links: [number, number][] = [];
  for (let x = 0; x < reps.length; x++) {
    for (let y = x + 1; y < reps.length; y++) {
      const pair = comparePrepared(prepared[x], prepared[y], o);
      if (!pair) continue;
      const a = inputs[reps[x]], b = inputs[reps[y]];
      pairs.push({ a: ref(a), b: ref(b), ...pair, crossSplit: a.split !== b.split });
      links.push([reps[x], reps[y]]);
    }
  }
  // Groups: union of near links and exact copies, kept where a near link exists.
  const parent = inputs.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (i: number, j: number) => {
    parent[find(i)] = find(j);
  };
  for (const [i, j] of links) union(i, j);
  for (const list of bySha.values()) for (const i of list.slice(1)) union(list[0], i);
  const linked = new Set(links.map(([i]) => find(i)));
  const members = new Map<number, number[]>();
  inputs.forEach((_, i) => {
    const root = find(i);
    if (!linked.has(root)) return;
    const list = members.get(root) ?? [];
    list.push(i);
    members.set(root, list);
  });
  const groups: NearDuplicateGroup[] = [...members.values()].map((list) => {
    const files = list.map((i) => ref(inputs[i]));
    const paths = new Set(files.map((f) => f.path));
    return {
      files,
      pairs: pairs.filter((p) => paths.has(p.a.path)),
      splits: [...new Set(files.map((f) => f.split))],
      labels: [...new Set(files.map((f) => f.label))],
    };
  });
  // Cross-split re-check: a pair inside one split may still join copies that sit in two splits.
  for (const p of pairs) p.crossSplit = p.a.split !== p.b.split;
  return { pairs, groups };
}

/**
 * Compare two photos directly.
 *
 * @returns the evidence when they hold the same photo, else undefined.
 */
export function compareForNearDuplicate(
  a: NearDuplicateInput,
  b: NearDuplicateInput,
  options: NearDuplicateOptions = {},
): Omit<NearDuplicatePair, "a" | "b" | "crossSplit"> | undefined {
  const o = { ...DEFAULT_NEAR_DUPLICATE_OPTIONS, ...options };
  if (!a.fingerprint || !b.fingerprint) return undefined;
  return comparePrepared(prepare(a, o.minFaceSide), prepare(b, o.minFaceSide), o);
}

interface Prepared {
  fingerprint: ImageFingerprint;
  /** The hashes as two 32-bit halves each, for fast Hamming distances. */
  dHash: Uint32Array;
  pHash: Uint32Array;
  faces: FaceGeometry[];
  thumbnail: GrayImage | undefined;
}

function prepare(input: NearDuplicateInput, minFaceSide: number): Prepared {
  const fp = input.fingerprint!;
  const faces = input.faces.filter((f) =>
    Math.min(f.box.width, f.box.height) >= minFaceSide && f.landmarks.length >= 2
  );
  return {
    fingerprint: fp,
    dHash: hashWords(fp.dHash),
    pHash: hashWords(fp.pHash),
    faces,
    thumbnail: faces.length > 0 ? decodeGray(fp.thumbnail) : undefined,
  };
}

function comparePrepared(
  a: Prepared,
  b: Prepared,
  o: Required<NearDuplicateOptions>,
): Omit<NearDuplicatePair, "a" | "b" | "crossSplit"> | undefined {
  const dHash = wordDistance(a.dHash, b.dHash);
  const pHash = wordDistance(a.pHash, b.pHash);
  if (dHash <= o.maxDHash && pHash <= o.maxPHash) return { via: "hash", dHash, pHash };
  if (!a.thumbnail || !b.thumbnail) return undefined;
  let best: { faceDistance: number; correlation: number } | undefined;
  for (const fa of a.faces) {
    for (const fb of b.faces) {
      const faceDistance = distance(fa.embedding, fb.embedding);
      if (faceDistance > o.maxFaceDistance) continue;
      const correlation = alignedCorrelation(a, b, fitSimilarity(fa.landmarks, fb.landmarks));
      if (correlation === undefined) continue;
      if (!best || correlation > best.correlation) best = { faceDistance, correlation };
    }
  }
  if (!best || best.correlation < o.minCorrelation) return undefined;
  return {
    via: "face",
    dHash,
    pHash,
    faceDistance: round(best.faceDistance, 3),
    correlation: round(best.correlation, 3),
  };
}

/** Cells per side of the grid the shared area is compared on. */
const GRID = 16;
/** The shared area must span at least this many thumbnail pixels per side in both photos. */
const MIN_SPAN = 6;
/** Crops do not rotate: a larger fitted rotation (radians) means another photo. */
const MAX_ROTATION = 0.09;

/**
 * Pearson correlation of two photos' thumbnails over the area they share once `t` (a's pixel
 * coordinates to b's) is applied, sampled on a GRID x GRID grid with box averages; undefined when
 * the shared area is too small to judge or has no contrast.
 */
function alignedCorrelation(a: Prepared, b: Prepared, t: Similarity): number | undefined {
  if (Math.abs(Math.atan2(t.b, t.a)) > MAX_ROTATION) return undefined;
  const scale = Math.hypot(t.a, t.b);
  const inverse = invert(t);
  // The shared area in a's coordinates: a's frame clipped to the bounding box of b's frame.
  const W = b.fingerprint.width, H = b.fingerprint.height;
  const corners = [{ x: 0, y: 0 }, { x: W, y: 0 }, { x: 0, y: H }, { x: W, y: H }].map((p) =>
    applySimilarity(inverse, p)
  );
  const x0 = Math.max(0, Math.min(...corners.map((p) => p.x)));
  const x1 = Math.min(a.fingerprint.width, Math.max(...corners.map((p) => p.x)));
  const y0 = Math.max(0, Math.min(...corners.map((p) => p.y)));
  const y1 = Math.min(a.fingerprint.height, Math.max(...corners.map((p) => p.y)));
  if (x1 <= x0 || y1 <= y0) return undefined;
  const ta = a.thumbnail!, tb = b.thumbnail!;
  const ka = ta.width / a.fingerprint.width, kb = tb.width / b.fingerprint.width;
  const spanA = Math.min((x1 - x0) * ka, (y1 - y0) * ka);
  const spanB = Math.min((x1 - x0) * scale * kb, (y1 - y0) * scale * kb);
  if (spanA < MIN_SPAN || spanB < MIN_SPAN) return undefined;
  const cw = (x1 - x0) / GRID, ch = (y1 - y0) / GRID;
  const va: number[] = [], vb: number[] = [];
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      const c = { x: x0 + (i + 0.5) * cw, y: y0 + (j + 0.5) * ch };
      const m = applySimilarity(t, c);
      va.push(
        boxSample(ta, c.x * ka, c.y * (ta.height / a.fingerprint.height), cw * ka / 2, ch * ka / 2),
      );
      vb.push(
        boxSample(
          tb,
          m.x * kb,
          m.y * (tb.height / b.fingerprint.height),
          (cw * scale * kb) / 2,
          (ch * scale * kb) / 2,
        ),
      );
    }
  }
  return pearson(va, vb);
}

/** Mean of the pixels whose centres lie in a box (thumbnail coordinates), or the bilinear value at its centre. */
function boxSample(g: GrayImage, cx: number, cy: number, hw: number, hh: number): number {
  const xa = Math.max(0, Math.ceil(cx - hw - 0.5)),
    xb = Math.min(g.width - 1, Math.floor(cx + hw - 0.5));
  const ya = Math.max(0, Math.ceil(cy - hh - 0.5)),
    yb = Math.min(g.height - 1, Math.floor(cy + hh - 0.5));
  if (xb >= xa && yb >= ya) {
    let s = 0;
    for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) s += g.data[y * g.width + x];
    return s / ((xb - xa + 1) * (yb - ya + 1));
  }
  const x = Math.min(g.width - 1, Math.max(0, cx - 0.5)),
    y = Math.min(g.height - 1, Math.max(0, cy - 0.5));
  const xi = Math.min(g.width - 2, Math.floor(x)), yi = Math.min(g.height - 2, Math.floor(y));
  if (xi < 0 || yi < 0) return g.data[Math.round(y) * g.width + Math.round(x)];
  const fx = x - xi, fy = y - yi;
  const at = (xx: number, yy: number) => g.data[yy * g.width + xx];
  return (1 - fy) * ((1 - fx) * at(xi, yi) + fx * at(xi + 1, yi)) +
    fy * ((1 - fx) * at(xi, yi + 1) + fx * at(xi + 1, yi + 1));
}

function pearson(a: readonly number[], b: readonly number[]): number | undefined {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  // Flat areas (a wall, the sky) match anything: no verdict.
  if (saa / n < 4 || sbb / n < 4) return undefined;
  return sab / Math.sqrt(saa * sbb);
}

function hashWords(hex: string): Uint32Array {
  if (!/^[0-9a-f]{16}$/.test(hex)) {
    throw new RangeError(
      `Hash "${hex}" is not 16 hex digits; the cache entry is damaged: delete it`,
    );
  }
  return Uint32Array.of(parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16));
}

function wordDistance(a: Uint32Array, b: Uint32Array): number {
  return popCount(a[0] ^ b[0]) + popCount(a[1] ^ b[1]);
}

function popCount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d, b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

function ref(f: HashedFile): FileRef {
  return { path: f.path, split: f.split, label: f.label };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
