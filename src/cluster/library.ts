/**
 * Group an unlabelled photo library by person: find every face, embed it, and group the faces by
 * identity ({@linkcode densityCluster}); then describe the groups for a person to check: sizes,
 * each face's distance to its group's centroid, the faces nearest another group, groups that look
 * like one person (suggested merges) and groups that share a photo (cannot be one person).
 *
 * @module
 */
import { scanLibrary } from "../dataset/scan.ts";
import type { FaceAnalyzer } from "../embed/photo.ts";
import type { Box } from "../face/geometry.ts";
import { analyzeFiles, type FailedFile, type StepProgress } from "../train/collect.ts";
import {
  DEFAULT_DISTANCE,
  DEFAULT_MIN_FACES,
  densityCluster,
  MIN_RELIABLE_SIDE,
} from "./density.ts";
import { NeighbourIndex, pointDistance, type Points } from "./neighbours.ts";

/** Options of {@linkcode clusterLibrary}. */
export interface ClusterOptions {
  /** Linking distance between descriptors. Default {@linkcode DEFAULT_DISTANCE}. */
  distance?: number;
  /** Fewest faces in a group. Default {@linkcode DEFAULT_MIN_FACES}. */
  minFaces?: number;
  /** Two groups whose centroids are at most this far apart are suggested as one person. */
  mergeDistance?: number;
  /**
   * A face whose box is narrower or lower than this (pixels) is never a core face of a group,
   * though it may join one. Default {@linkcode MIN_RELIABLE_SIDE}; 0 trusts every face.
   */
  minReliableSide?: number;
  /** Folders under the library to leave out, e.g. the output folder. */
  exclude?: string[];
  /** Progress of the per-photo analysis. */
  onProgress?: (p: StepProgress) => void;
}

/**
 * Two groups whose centroids are closer than this are suggested as one person. Centroids average
 * the noise away, so this is well under the 0.6 used for single faces: on FC Barcelona the
 * centroids of different players were at least 0.44 apart, and the split parts of one player
 * 0.23 to 0.39.
 */
export const DEFAULT_MERGE_DISTANCE = 0.42;

/** The page shows a group's face nearest another group's when they are at most this far apart. */
export const NEAREST_REACH = 0.6;

/** One face found in the library. */
export interface ClusterFace {
  /** The photo, as found under the library folder. */
  file: string;
  /** The photo's path relative to the library folder. */
  name: string;
  /** The face's index among the photo's faces (most confident first). */
  face: number;
  /** How many faces the photo has. */
  faces: number;
  /** The face's box in the upright photo's pixels. */
  box: Box;
  /** Distance of the descriptor to its group's centroid; undefined for an unsorted face. */
  distance?: number;
}

/** One group of faces: one person. */
export interface FaceGroup {
  /** The folder name: `person_001`... by size, or a name carried over or given by a model. */
  name: string;
  /** Where the name came from. */
  source: "number" | "carried" | "model";
  /** The faces (indices into {@linkcode Clustering.faces}), nearest the centroid first. */
  faces: number[];
  /** Mean of the faces' descriptors. */
  centroid: Float32Array;
}

/** Two groups and how close they are. */
export interface GroupPair {
  /** Index of the first group. */
  a: number;
  /** Index of the second group. */
  b: number;
  /** Distance between the groups' centroids. */
  distance: number;
}

/** For one group, its face nearest a face of another group. */
export interface NearestOther {
  /** The group. */
  group: number;
  /** Its face (index into {@linkcode Clustering.faces}). */
  face: number;
  /** The other group. */
  other: number;
  /** The other group's face. */
  otherFace: number;
  /** Distance between the two faces' descriptors. */
  distance: number;
}

/** The result of grouping a library. */
export interface Clustering {
  /** The library folder, as given. */
  library: string;
  /** The linking distance used. */
  distance: number;
  /** The fewest faces in a group used. */
  minFaces: number;
  /** Photos read. */
  photos: number;
  /** Every face, in path order, then face order within a photo. */
  faces: ClusterFace[];
  /** The faces' descriptors, one row per face. */
  points: Points;
  /** The groups, largest first. */
  groups: FaceGroup[];
  /** Faces in no group. */
  unsorted: number[];
  /** Photos with no face found. */
  noFace: string[];
  /** Files that could not be read, and why. */
  failed: FailedFile[];
  /** Pairs of groups that look like one person and share no photo, nearest first. */
  merges: GroupPair[];
  /** Pairs of groups that share a photo (two faces of it), so cannot be one person. */
  sharedPhotos: { a: number; b: number; photos: string[] }[];
  /** Per group (that has one within {@linkcode NEAREST_REACH}), its face nearest another group's. */
  nearest: NearestOther[];
}

/**
 * Find, embed and group every face of a photo library.
 *
 * @example Group a folder of photos
 * ```ts ignore
 * import { clusterLibrary, FaceAnalyzer, initBackend } from "../../mod.ts";
 *
 * await initBackend("auto");
 * const clustering = await clusterLibrary(await FaceAnalyzer.load(), "photos/");
 * for (const group of clustering.groups) console.log(group.name, group.faces.length);
 * ```
 */
export async function clusterLibrary(
  analyzer: FaceAnalyzer,
  library: string,
  options: ClusterOptions = {},
): Promise<Clustering> {
  const scanned = await scanLibrary(library, options.exclude);
  const { analyzed, failed } = await analyzeFiles(analyzer, scanned.files, options.onProgress);
  failed.push(...scanned.skipped.map((s) => ({ path: s.path, reason: s.reason })));
  const faces: ClusterFace[] = [];
  const rows: number[][] = [];
  const photoOf: number[] = [];
  const noFace: string[] = [];
  analyzed.forEach((a, p) => {
    if (a.record.faces.length === 0) noFace.push(a.path);
    a.record.faces.forEach((f, i) => {
      faces.push({ file: a.path, name: a.name, face: i, faces: a.record.faces.length, box: f.box });
      rows.push(f.embedding);
      photoOf.push(p);
    });
  });
  const dim = rows[0]?.length ?? 128;
  const points: Points = { data: new Float32Array(rows.length * dim), dim };
  rows.forEach((r, i) => points.data.set(r, i * dim));
  const grouped = groupFaces(points, Int32Array.from(photoOf), faces, {
    ...options,
    onGroupProgress: (done, total) => options.onProgress?.({ step: "groups", done, total }),
  });
  return { library, photos: analyzed.length, noFace, failed, ...grouped };
}

/**
 * Group faces whose descriptors are known, and describe the groups: the part of
 * {@linkcode clusterLibrary} after the analysis.
 *
 * @param photo each face's photo: faces with the same number never share a group.
 */
export function groupFaces(
  points: Points,
  photo: Int32Array,
  faces: ClusterFace[],
  options: Omit<ClusterOptions, "exclude" | "onProgress"> & {
    /** Called as the faces' neighbours are found. */
    onGroupProgress?: (done: number, total: number) => void;
  } = {},
): Omit<Clustering, "library" | "photos" | "noFace" | "failed"> {
  const distance = options.distance ?? DEFAULT_DISTANCE;
  const minFaces = options.minFaces ?? DEFAULT_MIN_FACES;
  const minSide = options.minReliableSide ?? MIN_RELIABLE_SIDE;
  const reliable = Uint8Array.from(
    faces,
    (f) => (Math.min(f.box.width, f.box.height) >= minSide ? 1 : 0),
  );
  const result = densityCluster(points, photo, {
    distance,
    minFaces,
    reliable,
    onProgress: options.onGroupProgress,
  });
  const width = Math.max(3, String(result.groups.length).length);
  const groups = result.groups.map((members, g): FaceGroup => {
    const centroid = meanOf(points, members);
    for (const i of members) faces[i].distance = round(pointDistance(points, i, centroid));
    const byDistance = [...members].sort((x, y) =>
      faces[x].distance! - faces[y].distance! || x - y
    );
    const name = `person_${String(g + 1).padStart(width, "0")}`;
    return { name, source: "number", faces: byDistance, centroid };
  });
  const unsorted: number[] = [];
  for (let i = 0; i < faces.length; i++) if (result.group[i] < 0) unsorted.push(i);
  const mergeDistance = options.mergeDistance ?? DEFAULT_MERGE_DISTANCE;
  const sharedPhotos = groupsSharingPhotos(result.group, photo, faces);
  const shared = new Set(sharedPhotos.map((s) => `${s.a},${s.b}`));
  const merges = closeGroups(groups, mergeDistance).filter((m) => !shared.has(`${m.a},${m.b}`));
  const nearest = nearestOthers(points, result.group, NEAREST_REACH);
  return { distance, minFaces, faces, points, groups, unsorted, merges, sharedPhotos, nearest };
}

function meanOf(points: Points, members: readonly number[]): Float32Array {
  const { data, dim } = points;
  const sum = new Float64Array(dim);
  for (const i of members) for (let k = 0; k < dim; k++) sum[k] += data[i * dim + k];
  return Float32Array.from(sum, (s) => s / members.length);
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/** Pairs of groups (a < b) holding faces of one photo. */
function groupsSharingPhotos(
  group: Int32Array,
  photo: Int32Array,
  faces: readonly ClusterFace[],
): { a: number; b: number; photos: string[] }[] {
  const byPhoto = new Map<number, number[]>();
  group.forEach((g, i) => {
    if (g < 0) return;
    const list = byPhoto.get(photo[i]) ?? [];
    list.push(i);
    byPhoto.set(photo[i], list);
  });
  const pairs = new Map<string, { a: number; b: number; photos: string[] }>();
  for (const members of byPhoto.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const [a, b] = [group[members[x]], group[members[y]]].sort((p, q) => p - q);
        const key = `${a},${b}`;
        const entry = pairs.get(key) ?? { a, b, photos: [] };
        const name = faces[members[x]].name;
        if (!entry.photos.includes(name)) entry.photos.push(name);
        pairs.set(key, entry);
      }
    }
  }
  return [...pairs.values()].sort((p, q) => p.a - q.a || p.b - q.b);
}

/** Pairs of groups whose centroids lie within `reach`, nearest first. */
function closeGroups(groups: readonly FaceGroup[], reach: number): GroupPair[] {
  if (groups.length < 2) return [];
  const dim = groups[0].centroid.length;
  const centroids: Points = { data: new Float32Array(groups.length * dim), dim };
  groups.forEach((g, i) => centroids.data.set(g.centroid, i * dim));
  const index = new NeighbourIndex(centroids);
  const pairs: GroupPair[] = [];
  groups.forEach((g, a) => {
    index.visit(g.centroid, reach, (b, d) => {
      if (b > a) pairs.push({ a, b, distance: round(d) });
    });
  });
  return pairs.sort((p, q) => p.distance - q.distance || p.a - q.a || p.b - q.b);
}

/** Each group's face nearest to a face of another group, within `reach`. */
function nearestOthers(points: Points, group: Int32Array, reach: number): NearestOther[] {
  const members: number[] = [];
  group.forEach((g, i) => g >= 0 && members.push(i));
  const { data, dim } = points;
  const sub: Points = { data: new Float32Array(members.length * dim), dim };
  members.forEach((i, k) => sub.data.set(data.subarray(i * dim, (i + 1) * dim), k * dim));
  const index = new NeighbourIndex(sub);
  const best = new Map<number, NearestOther>();
  for (const i of members) {
    index.visit(data.subarray(i * dim, (i + 1) * dim), reach, (k, d) => {
      const j = members[k];
      if (group[j] === group[i]) return;
      const current = best.get(group[i]);
      const tie = current && d === current.distance &&
        (i < current.face || (i === current.face && j < current.otherFace));
      if (!current || d < current.distance || tie) {
        best.set(group[i], {
          group: group[i],
          face: i,
          other: group[j],
          otherFace: j,
          distance: d,
        });
      }
    });
  }
  return [...best.values()]
    .map((n) => ({ ...n, distance: round(n.distance) }))
    .sort((p, q) => p.group - q.group);
}
