/**
 * Group face descriptors by identity with a deterministic density clustering (DBSCAN-like).
 *
 * 1. **Neighbours**: every pair of faces within `distance` (the linking distance), found with a
 *    cell index (src/cluster/neighbours.ts), so memory grows with the pairs found, never with N x N.
 * 2. **Core faces**: a face with at least `minFaces` faces within `distance` (itself included).
 * 3. **Link cores**: core-core pairs are joined nearest first (single linkage, as DBSCAN's
 *    reachability), but a join that would put two faces of one photo in one group is refused
 *    (see {@linkcode PhotoAwareGroups}).
 * 4. **Attach borders**: a face that is not core joins its nearest core's group, nearest pairs
 *    first, under the same rule.
 * 5. **Groups** with at least `minFaces` faces are kept, largest first; the rest are unsorted.
 *
 * Every order is by distance, ties by face index, so the same faces in the same order give the same
 * groups on every run. Without a same-photo conflict, step 3 yields exactly DBSCAN's clusters.
 *
 * @module
 */
import { bruteForceRange, NeighbourIndex, pointCount, type Points } from "./neighbours.ts";
import { PhotoAwareGroups } from "./same_photo.ts";

/** Options of {@linkcode densityCluster}. */
export interface DensityOptions {
  /** Linking distance between two faces' descriptors. Default {@linkcode DEFAULT_DISTANCE}. */
  distance?: number;
  /** Faces needed within `distance` to be a core face, and in a group. Default 3. */
  minFaces?: number;
  /** "index" (default: the cell index) or "exact": compare every pair (O(N^2) time, for tests and checks). */
  search?: "index" | "exact";
}

/**
 * Default linking distance for the 128-d dlib descriptor. Measured on FC Barcelona and sports4
 * (`bench/cluster.ts`, see the README): 0.45 keeps players apart that 0.5 starts to chain.
 */
export const DEFAULT_DISTANCE = 0.45;

/** Default fewest faces in a group. */
export const DEFAULT_MIN_FACES = 3;

/** The groups found. */
export interface DensityResult {
  /** Each face's group (index into `groups`), or -1 for none. */
  group: Int32Array;
  /** Each group's faces, ascending; groups largest first, ties by their first face. */
  groups: number[][];
  /** Whether each face is a core face. */
  core: Uint8Array;
  /** Core-core joins refused because they would have put two faces of one photo together. */
  refused: number;
}

/**
 * Group faces by their descriptors.
 *
 * @param points the faces' descriptors, in a fixed order (the order breaks ties).
 * @param photo each face's photo: faces with the same number never share a group.
 *
 * @example Two people, three faces each, and a stranger
 * ```ts
 * import assert from "node:assert/strict";
 * import { densityCluster } from "./density.ts";
 *
 * const data = new Float32Array([0, 0, 0.1, 0, 0, 0.1, 5, 5, 5.1, 5, 5, 5.1, 9, 0]);
 * const result = densityCluster({ data, dim: 2 }, new Int32Array([0, 1, 2, 3, 4, 5, 6]));
 * assert.deepEqual(result.groups, [[0, 1, 2], [3, 4, 5]]);
 * assert.equal(result.group[6], -1);
 * ```
 */
export function densityCluster(
  points: Points,
  photo: Int32Array,
  options: DensityOptions = {},
): DensityResult {
  const eps = options.distance ?? DEFAULT_DISTANCE;
  const minFaces = options.minFaces ?? DEFAULT_MIN_FACES;
  const n = pointCount(points);
  if (photo.length !== n) {
    throw new RangeError(`Got ${photo.length} photo numbers for ${n} faces; give one per face`);
  }
  if (!(eps > 0)) throw new RangeError(`Linking distance "${eps}" must be above 0`);
  if (!Number.isInteger(minFaces) || minFaces < 1) {
    throw new RangeError(`Fewest faces "${minFaces}" must be a whole number of at least 1`);
  }
  const pairs = neighbourPairs(points, eps, options.search ?? "index");
  const core = coreFaces(n, pairs, minFaces);
  const groups = new PhotoAwareGroups(photo);
  const refused = linkCores(pairs, core, groups);
  const attached = attachBorders(pairs, core, groups, photo);
  return collectGroups(n, core, attached, groups, minFaces, refused);
}

/** Pairs `i < j` within the linking distance, with their distances. */
export interface Pairs {
  a: Int32Array;
  b: Int32Array;
  d: Float64Array;
  count: number;
}

/** Every pair of faces within `eps`, each once (`a < b`). */
export function neighbourPairs(points: Points, eps: number, search: "index" | "exact"): Pairs {
  const n = pointCount(points);
  const out = new PairList();
  if (search === "exact") {
    for (let i = 0; i < n; i++) {
      for (const j of bruteForceRange(points, i, eps)) {
        if (j > i) out.push(i, j, distanceOf(points, i, j));
      }
    }
  } else {
    const index = new NeighbourIndex(points);
    const { data, dim } = points;
    for (let i = 0; i < n; i++) {
      index.visit(data.subarray(i * dim, (i + 1) * dim), eps, (j, d) => {
        if (j > i) out.push(i, j, d);
      });
    }
  }
  return out.done();
}

function distanceOf(points: Points, i: number, j: number): number {
  const { data, dim } = points;
  let s = 0;
  for (let k = 0; k < dim; k++) {
    const t = data[j * dim + k] - data[i * dim + k];
    s += t * t;
  }
  return Math.sqrt(s);
}

function coreFaces(n: number, pairs: Pairs, minFaces: number): Uint8Array {
  const count = new Int32Array(n).fill(1); // a face is its own neighbour
  for (let e = 0; e < pairs.count; e++) {
    count[pairs.a[e]]++;
    count[pairs.b[e]]++;
  }
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = count[i] >= minFaces ? 1 : 0;
  return core;
}

/** Pair indices sorted by distance, then by the faces' indices. */
function sortedPairs(pairs: Pairs, keep: (e: number) => boolean): Int32Array {
  const chosen: number[] = [];
  for (let e = 0; e < pairs.count; e++) if (keep(e)) chosen.push(e);
  const order = Int32Array.from(chosen);
  const { a, b, d } = pairs;
  order.sort((x, y) => d[x] - d[y] || a[x] - a[y] || b[x] - b[y]);
  return order;
}

function linkCores(pairs: Pairs, core: Uint8Array, groups: PhotoAwareGroups): number {
  let refused = 0;
  const order = sortedPairs(pairs, (e) => core[pairs.a[e]] === 1 && core[pairs.b[e]] === 1);
  for (const e of order) if (!groups.join(pairs.a[e], pairs.b[e])) refused++;
  return refused;
}

/** Attach each border face to its nearest core's group that has no face of its photo. */
function attachBorders(
  pairs: Pairs,
  core: Uint8Array,
  groups: PhotoAwareGroups,
  photo: Int32Array,
): Uint8Array {
  const attached = new Uint8Array(core.length);
  const order = sortedPairs(pairs, (e) => core[pairs.a[e]] !== core[pairs.b[e]]);
  for (const e of order) {
    const [border, c] = core[pairs.a[e]] ? [pairs.b[e], pairs.a[e]] : [pairs.a[e], pairs.b[e]];
    if (attached[border] || groups.hasPhoto(c, photo[border])) continue;
    groups.join(border, c);
    attached[border] = 1;
  }
  return attached;
}

function collectGroups(
  n: number,
  core: Uint8Array,
  attached: Uint8Array,
  groups: PhotoAwareGroups,
  minFaces: number,
  refused: number,
): DensityResult {
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!core[i] && !attached[i]) continue;
    const root = groups.find(i);
    const list = byRoot.get(root);
    if (list) list.push(i);
    else byRoot.set(root, [i]);
  }
  const kept = [...byRoot.values()]
    .filter((faces) => faces.length >= minFaces)
    .sort((x, y) => y.length - x.length || x[0] - y[0]);
  const group = new Int32Array(n).fill(-1);
  kept.forEach((faces, g) => {
    for (const i of faces) group[i] = g;
  });
  return { group, groups: kept, core, refused };
}

/** A growable list of pairs in typed arrays. */
class PairList {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  d = new Float64Array(1024);
  count = 0;

  push(i: number, j: number, dist: number): void {
    if (this.count === this.a.length) {
      const grow = <T extends Int32Array | Float64Array>(old: T, bigger: T): T => {
        bigger.set(old);
        return bigger;
      };
      const size = this.a.length * 2;
      this.a = grow(this.a, new Int32Array(size));
      this.b = grow(this.b, new Int32Array(size));
      this.d = grow(this.d, new Float64Array(size));
    }
    this.a[this.count] = i;
    this.b[this.count] = j;
    this.d[this.count] = dist;
    this.count++;
  }

  done(): Pairs {
    return {
      a: this.a.subarray(0, this.count),
      b: this.b.subarray(0, this.count),
      d: this.d.subarray(0, this.count),
      count: this.count,
    };
  }
}
