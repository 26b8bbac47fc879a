/**
 * Audit a photo collection before trusting it: unreadable files, formats, tiny images, exact and
 * near duplicates within and across splits, photos without a face or with several, tiny faces,
 * suspected mislabels and class balance. Returns data; the CLI prints it.
 *
 * @module
 */
import { extname } from "node:path";
import { defaultCacheDir } from "../dataset/cache.ts";
import { scanDataset, UNKNOWN_FOLDER } from "../dataset/scan.ts";
import type { FaceAnalyzer, PhotoRecord } from "../embed/photo.ts";
import type { Box } from "../face/geometry.ts";
import { normalize } from "../head/vectors.ts";
import type { DecodeOptions } from "../image/mod.ts";
import { analyzeFiles, type StepProgress } from "../train/collect.ts";
import {
  crossSplitCopies,
  type ExactDuplicateGroup,
  type FileRef,
  findExactDuplicates,
} from "./exact_duplicates.ts";
import {
  extensionFormat,
  fingerprintCache,
  type InventoryEntry,
  inventoryFiles,
  type SplitFile,
} from "./inventory.ts";
import { findMislabels, type MislabelCandidate, type MislabelOptions } from "./mislabels.ts";
import {
  findNearDuplicates,
  type NearDuplicateGroup,
  type NearDuplicateOptions,
  type NearDuplicatePair,
} from "./near_duplicates.ts";

/** One split of a collection: a folder with one sub-folder per person. */
export interface AuditSplit {
  /** Its role, e.g. "train" or "val"; earlier splits win when copies are charged. */
  name: string;
  /** Its folder, one sub-folder per person. */
  root: string;
}

/** Per-call options of {@linkcode auditDataset}. */
export interface AuditOptions {
  /** Runs face detection and embedding (cached); without it the face checks are skipped. */
  analyzer?: FaceAnalyzer;
  /** Decode every photo for perceptual hashes (near-duplicates, sizes); default true. */
  fingerprints?: boolean;
  /** Cache root for the perceptual hashes; false: none. Default: {@linkcode defaultCacheDir}. */
  cacheDir?: string | false;
  /** Decoding limits. */
  decode?: DecodeOptions;
  /** Images whose shorter side is below this (pixels) are listed as too small. */
  minImageSide?: number;
  /** Chosen faces whose shorter box side is below this (pixels) are listed as tiny. */
  minFaceSide?: number;
  /** People with fewer usable photos than this in a split are listed. */
  minPhotos?: number;
  /** Thresholds of the near-duplicate search. */
  nearDuplicates?: NearDuplicateOptions;
  /** Thresholds of the mislabel search. */
  mislabels?: MislabelOptions;
  /** Progress of the per-file steps ("hashes", "faces"). */
  onProgress?: (p: StepProgress) => void;
}

/** Default thresholds of {@linkcode auditDataset}. */
export const DEFAULT_AUDIT_OPTIONS = {
  minImageSide: 128,
  minFaceSide: 40,
  minPhotos: 10,
} as const;

/** A file in a finding, with the detail that put it there. */
export interface FileIssue extends FileRef {
  /** What is wrong with it. */
  reason: string;
}

/** A photo with more than one face. */
export interface MultiFacePhoto extends FileRef {
  /** How many faces were found. */
  faces: number;
  /** Index of the face taken as the labelled person, -1 when none is near their other photos. */
  chosen: number;
  /** Box of the chosen face. */
  box?: Box;
}

/** A photo whose labelled face is small. */
export interface TinyFace extends FileRef {
  /** Index of the labelled person's face among the photo's faces. */
  face: number;
  /** Its box in the upright photo's pixels. */
  box: Box;
}

/** Everything an audit found. */
export interface AuditReport {
  /** The splits audited, with their photo counts and people. */
  splits: { name: string; root: string; files: number; people: string[] }[];
  /** Every photo file found, in scan order. */
  files: FileRef[];
  /** Files that cannot be read or decoded, and why. */
  unreadable: FileIssue[];
  /** Warnings from scanning the folders (empty person folders, stray files). */
  warnings: string[];
  /** Files per format, from the bytes; "unknown" for the rest. */
  formats: Record<string, number>;
  /** Files whose extension promises another format than their bytes hold, or that have none. */
  misnamed: (FileRef & { extension: string; format: string })[];
  /** Images smaller than `minImageSide` (undefined without fingerprints). */
  small: (FileRef & { width: number; height: number })[] | undefined;
  /** Byte-identical files. */
  exactDuplicates: {
    groups: ExactDuplicateGroup[];
    /** Copies in a later split of a file in an earlier one (leakage). */
    crossSplit: { file: FileRef; copyOf: FileRef }[];
    /** Files beyond the first of each group: what de-duplication removes. */
    redundant: number;
  };
  /** Undefined without fingerprints. */
  nearDuplicates:
    | { pairs: NearDuplicatePair[]; groups: NearDuplicateGroup[]; crossSplit: number }
    | undefined;
  /** Undefined without an analyzer. */
  faces:
    | {
      noFace: FileRef[];
      multiFace: MultiFacePhoto[];
      /** Photos with faces of which none is near the labelled person's other photos. */
      unmatched: FileRef[];
      tiny: TinyFace[];
    }
    | undefined;
  /** Undefined without an analyzer. */
  mislabels: MislabelCandidate[] | undefined;
  /** Photos per person and split. */
  balance: {
    /** Files per person per split (usable faces when faces were analyzed). */
    counts: Record<string, Record<string, number>>;
    /** People with fewer than `minPhotos` in a split, or missing from it. */
    tooFew: { label: string; split: string; count: number }[];
    /** Largest over smallest count in the first split. */
    ratio: number;
  };
  /** Cache hits and misses of the fingerprints and faces. */
  cache: {
    fingerprints: { hits: number; misses: number };
    faces: { hits: number; misses: number } | undefined;
  };
  /** Seconds per phase. */
  timings: { scan: number; hashes: number; faces: number; checks: number; total: number };
  /** The limits the audit applied. */
  options: { minImageSide: number; minFaceSide: number; minPhotos: number };
}

/**
 * Audit one or more splits of a photo collection.
 *
 * @example Audit a training and a validation folder
 * ```ts ignore
 * const analyzer = await FaceAnalyzer.load();
 * const report = await auditDataset(
 *   [{ name: "train", root: "photos/train" }, { name: "val", root: "photos/test" }],
 *   { analyzer },
 * );
 * console.log(report.exactDuplicates.crossSplit.length, "test photos are copies of training photos");
 * ```
 * @throws Error when a split folder is missing or two splits have the same name.
 */
export async function auditDataset(
  splits: readonly AuditSplit[],
  options: AuditOptions = {},
): Promise<AuditReport> {
  const names = splits.map((s) => s.name);
  if (new Set(names).size !== names.length || splits.length === 0) {
    throw new RangeError(`Give one or more splits with distinct names, got "${names.join(", ")}"`);
  }
  const o = { ...DEFAULT_AUDIT_OPTIONS, ...options };
  const started = performance.now();
  const seconds = (since: number) => round((performance.now() - since) / 1000, 2);

  // Scan.
  const files: SplitFile[] = [];
  const unreadable: FileIssue[] = [];
  const warnings: string[] = [];
  const splitInfo: AuditReport["splits"] = [];
  for (const split of splits) {
    const ds = await scanDataset(split.root);
    files.push(...[...ds.files, ...ds.unknown].map((f) => ({ ...f, split: split.name })));
    unreadable.push(
      ...ds.skipped.map((s) => ({ path: s.path, split: split.name, label: "", reason: s.reason })),
    );
    warnings.push(...ds.warnings);
    splitInfo.push({
      name: split.name,
      root: split.root,
      files: ds.files.length + ds.unknown.length,
      people: ds.labels,
    });
  }
  const scanSeconds = seconds(started);

  // Read, hash and fingerprint.
  const hashStarted = performance.now();
  const cacheRoot = o.cacheDir === undefined ? defaultCacheDir() : o.cacheDir;
  const withFingerprints = o.fingerprints !== false;
  const { entries, cache: fingerprintStats } = withFingerprints
    ? await inventoryFiles(files, {
      cache: cacheRoot === false ? undefined : fingerprintCache(cacheRoot),
      decode: o.decode,
      onProgress: o.onProgress,
    })
    : await inventoryFiles(files, { fingerprint: false, onProgress: o.onProgress });
  for (const e of entries) if (e.error) unreadable.push({ ...ref(e), reason: e.error });
  const hashSeconds = seconds(hashStarted);

  // Faces.
  const facesStarted = performance.now();
  const records = new Map<string, PhotoRecord>();
  let faceStats: { hits: number; misses: number } | undefined;
  if (o.analyzer) {
    const usable = entries.filter((e) => !e.error);
    const before = { ...o.analyzer.stats };
    const { analyzed, failed } = await analyzeFiles(o.analyzer, usable, o.onProgress);
    for (const a of analyzed) records.set(a.path, a.record);
    for (const f of failed) {
      const e = usable.find((u) => u.path === f.path)!;
      unreadable.push({ ...ref(e), reason: f.reason });
    }
    faceStats = {
      hits: o.analyzer.stats.hits - before.hits,
      misses: o.analyzer.stats.misses - before.misses,
    };
  }
  const faceSeconds = seconds(facesStarted);

  // Checks.
  const checksStarted = performance.now();
  const formats: Record<string, number> = {};
  const misnamed: AuditReport["misnamed"] = [];
  for (const e of entries) {
    if (!e.sha256) continue;
    const format = e.format ?? "unknown";
    formats[format] = (formats[format] ?? 0) + 1;
    const promised = extensionFormat(e.path);
    if (e.format && promised !== e.format) {
      misnamed.push({ ...ref(e), extension: extname(e.path) || "(none)", format: e.format });
    }
  }
  const small = withFingerprints
    ? entries
      .filter((e) =>
        e.fingerprint && Math.min(e.fingerprint.width, e.fingerprint.height) < o.minImageSide
      )
      .map((e) => ({ ...ref(e), width: e.fingerprint!.width, height: e.fingerprint!.height }))
    : undefined;

  const groups = findExactDuplicates(entries);
  const exactDuplicates = {
    groups,
    crossSplit: crossSplitCopies(groups, names),
    redundant: groups.reduce((n, g) => n + g.files.length - 1, 0),
  };

  const faceGeometry = (e: InventoryEntry) =>
    (records.get(e.path)?.faces ?? []).map((f) => ({ ...f, embedding: normalize(f.embedding) }));
  const nearDuplicates = withFingerprints
    ? (() => {
      const found = findNearDuplicates(
        entries.map((e) => ({ ...e, faces: faceGeometry(e) })),
        o.nearDuplicates,
      );
      return { ...found, crossSplit: found.pairs.filter((p) => p.crossSplit).length };
    })()
    : undefined;

  let faces: AuditReport["faces"];
  let mislabels: MislabelCandidate[] | undefined;
  const labelled = entries.filter((e) => records.has(e.path) && e.label !== UNKNOWN_FOLDER);
  if (o.analyzer) {
    const photos = labelled.map((e) => {
      const r = records.get(e.path)!;
      return {
        ...ref(e),
        sha256: e.sha256,
        embeddings: r.faces.map((f) => normalize(f.embedding)),
        areas: r.faces.map((f) => f.box.width * f.box.height),
      };
    });
    const found = findMislabels(photos, o.mislabels);
    mislabels = found.candidates;
    faces = { noFace: [], multiFace: [], unmatched: [], tiny: [] };
    labelled.forEach((e, i) => {
      const r = records.get(e.path)!;
      const chosen = found.choices[i].index;
      if (r.faces.length === 0) faces!.noFace.push(ref(e));
      else if (chosen < 0) faces!.unmatched.push(ref(e));
      if (r.faces.length > 1) {
        faces!.multiFace.push({
          ...ref(e),
          faces: r.faces.length,
          chosen,
          ...(chosen >= 0 ? { box: r.faces[chosen].box } : {}),
        });
      }
      if (chosen >= 0) {
        const box = r.faces[chosen].box;
        if (Math.min(box.width, box.height) < o.minFaceSide) {
          faces!.tiny.push({ ...ref(e), face: chosen, box });
        }
      }
    });
  }

  // Balance: usable photos per person per split (all readable photos when faces were not analyzed).
  const counts: Record<string, Record<string, number>> = {};
  const people = [...new Set(splitInfo.flatMap((s) => s.people))].sort();
  for (const label of people) counts[label] = Object.fromEntries(names.map((n) => [n, 0]));
  const unusable = new Set(
    [...(faces?.noFace ?? []), ...(faces?.unmatched ?? [])].map((f) => f.path),
  );
  for (const e of entries) {
    if (e.error || e.label === UNKNOWN_FOLDER || unusable.has(e.path) || !counts[e.label]) continue;
    counts[e.label][e.split]++;
  }
  const tooFew: AuditReport["balance"]["tooFew"] = [];
  for (const label of people) {
    for (const name of names) {
      const count = counts[label][name];
      const limit = name === names[0] ? o.minPhotos : 1;
      if (count < limit) tooFew.push({ label, split: name, count });
    }
  }
  const firstCounts = people.map((l) => counts[l][names[0]]).filter((n) => n > 0);
  const ratio = firstCounts.length
    ? round(Math.max(...firstCounts) / Math.min(...firstCounts), 2)
    : 0;
  const checkSeconds = seconds(checksStarted);

  return {
    splits: splitInfo,
    files: files.map(ref),
    unreadable,
    warnings,
    formats,
    misnamed,
    small,
    exactDuplicates,
    nearDuplicates,
    faces,
    mislabels,
    balance: { counts, tooFew, ratio },
    cache: { fingerprints: fingerprintStats, faces: faceStats },
    timings: {
      scan: scanSeconds,
      hashes: hashSeconds,
      faces: faceSeconds,
      checks: checkSeconds,
      total: seconds(started),
    },
    options: { minImageSide: o.minImageSide, minFaceSide: o.minFaceSide, minPhotos: o.minPhotos },
  };
}

/** Split names for a training folder and an optional validation folder, as the CLI uses them. */
export function trainValSplits(data: string, val?: string): AuditSplit[] {
  return val === undefined
    ? [{ name: "train", root: data }]
    : [{ name: "train", root: data }, { name: "val", root: val }];
}

function ref(f: FileRef): FileRef {
  return { path: f.path, split: f.split, label: f.label };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
