/**
 * Group face descriptors by identity with a deterministic density clustering (DBSCAN-like).
 *
 * 1. **Neighbours**: every pair of faces within `distance` (the linking distance), found with a
 *    cell index (src/cluster/neighbours.ts), so memory grows with the pairs found, never with N x N.
 * 2. **Core faces**: a reliable face with at least `minFaces` reliable faces within `distance`
 *    (itself included). A face is unreliable when the caller says so (`reliable`; the library
 *    marks faces whose box is under {@linkcode MIN_RELIABLE_SIDE} pixels): its descriptor is
 *    noise more than identity, and such faces sit close to each other whoever they are, so they
 *    would make a dense "group" of strangers. They may still join a group (steps 4 and 6).
 * 3. **Link cores**: core-core pairs are joined nearest first (single linkage, as DBSCAN's
 *    reachability), but a join that would put two faces of one photo in one group is refused
 *    (see {@linkcode PhotoAwareGroups}).
 * 4. **Attach borders**: a face that is not core joins its nearest core's group, nearest pairs
 *    first, under the same rule.
 * 5. **Groups** with at least `minFaces` faces are kept.
 * 6. **Attach by votes**: single linkage at a distance wide enough to reach a person's harder
 *    faces (profile, blur, another age) also chains look-alikes together, so the linking distance
 *    stays tight and the faces left over get a second chance: a face joins the group that holds
 *    most of the grouped faces within `attachDistance` of it, when that group holds more than
 *    `voteShare` (default 3/4) of them, at least `minVotes`, and the nearest of them, under the
 *    same-photo rule, nearest first, in up to three rounds (a face attached in one round may vote
 *    in the next). A face between two groups stays unsorted: with a strict majority, a face of
 *    one player joined a look-alike's group, and faces of several players gathered round a group
 *    of tiny strangers' faces. Then every face attached by votes is checked again against the
 *    final groups, all at once, and leaves its group when its vote no longer holds (a face voted
 *    in early, before its own person's faces were placed).
 * 7. Groups are sorted largest first; faces in none are unsorted.
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
  /** Radius of the attach step (6); default `distance + 0.1`; equal to `distance` turns it off. */
  attachDistance?: number;
  /** Called as the neighbours of the faces are found (the long part on a large library). */
  onProgress?: (done: number, total: number) => void;
  /** Fewest votes for a face to be attached (default 2). */
  minVotes?: number;
  /**
   * Share of the grouped faces within `attachDistance` that a group must hold, strictly more
   * than, for a face to be attached to it by votes (step 6). Default {@linkcode VOTE_SHARE}.
   */
  voteShare?: number;
  /**
   * Whether each face's descriptor is reliable (1) or not (0); default: every face. An unreliable
   * face is never a core face and does not count toward another face's neighbours (step 2).
   */
  reliable?: Uint8Array;
  /** "index" (default: the cell index) or "exact": compare every pair (O(N^2) time, for tests and checks). */
  search?: "index" | "exact";
}

/**
 * Default linking distance for the 128-d dlib descriptor. Measured on FC Barcelona and sports4
 * (`bench/cluster.ts`, see the README): from 0.42 on, single linkage starts to chain look-alike
 * players (at 0.45 Pique, Jordi Alba and Busquets become one group); the attach step then brings
 * recall up without linking.
 */
export const DEFAULT_DISTANCE = 0.4;

/** How much farther than the linking distance the attach step reaches by default. */
export const ATTACH_MARGIN = 0.1;

/**
 * Default share of the grouped faces near a left-over face that its group must exceed (step 6).
 * Measured on FC Barcelona (`bench/cluster.ts`, see the README): with a strict majority (1/2),
 * and every face trusted, a De Jong face joined Pique's group and faces of four players gathered
 * round a bunch of tiny strangers' faces; with 3/4, the nearest-face rule, the final check and
 * {@linkcode MIN_RELIABLE_SIDE}, no group mixed two players at linking distances 0.36 to 0.4, for
 * 0.3 points of recall at 0.4.
 */
export const VOTE_SHARE = 0.75;

/**
 * Faces whose box is narrower or lower than this, in the photo's pixels, have unreliable
 * descriptors (the 150 px aligned chip is blown up 5 times and more): they are never core faces.
 * On FC Barcelona, 12 of the 35 faces that are not the photos' players are under 30 px, and 8 of
 * the 815 players' faces.
 */
export const MIN_RELIABLE_SIDE = 30;

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
  const attachDistance = options.attachDistance ?? eps + ATTACH_MARGIN;
  if (!(attachDistance >= eps)) {
    throw new RangeError(
      `Attach distance "${attachDistance}" must be at least the linking distance "${eps}"`,
    );
  }
  const voteShare = options.voteShare ?? VOTE_SHARE;
  if (!(voteShare >= 0 && voteShare < 1)) {
    throw new RangeError(`Vote share "${voteShare}" must be at least 0 and under 1`);
  }
  const reliable = options.reliable;
  if (reliable && reliable.length !== n) {
    throw new RangeError(`Got ${reliable.length} reliable flags for ${n} faces; give one per face`);
  }
  const search = options.search ?? "index";
  const index = search === "index" ? new NeighbourIndex(points) : undefined;
  const within = (i: number, r: number, found: (j: number, d: number) => void) => {
    if (index) {
      const { data, dim } = points;
      index.visit(data.subarray(i * dim, (i + 1) * dim), r, found);
    } else {
      for (const j of bruteForceRange(points, i, r)) found(j, distanceOf(points, i, j));
    }
  };
  const pairs = neighbourPairs(n, eps, within, options.onProgress);
  const core = coreFaces(n, pairs, minFaces, reliable);
  const groups = new PhotoAwareGroups(photo);
  const refused = linkCores(pairs, core, groups);
  const attached = attachBorders(pairs, core, groups, photo);
  const kept = collectGroups(n, core, attached, groups, minFaces);
  if (attachDistance > eps) {
    const rule = { radius: attachDistance, minVotes: options.minVotes ?? 2, share: voteShare };
    attachByVotes(kept, photo, rule, within);
  }
  return sortGroups(kept, n, core, refused);
}

/** Pairs `i < j` within the linking distance, with their distances. */
export interface Pairs {
  a: Int32Array;
  b: Int32Array;
  d: Float64Array;
  count: number;
}

/** A range query: calls `found(j, distance)` for every face within `r` of face `i`. */
type Within = (i: number, r: number, found: (j: number, d: number) => void) => void;

/** Every pair of faces within `eps`, each once (`a < b`). */
function neighbourPairs(
  n: number,
  eps: number,
  within: Within,
  onProgress?: (done: number, total: number) => void,
): Pairs {
  const out = new PairList();
  for (let i = 0; i < n; i++) {
    within(i, eps, (j, d) => {
      if (j > i) out.push(i, j, d);
    });
    if (onProgress && ((i + 1) % 1000 === 0 || i + 1 === n)) onProgress(i + 1, n);
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

/** Reliable faces with at least `minFaces` reliable faces within the linking distance. */
function coreFaces(n: number, pairs: Pairs, minFaces: number, reliable?: Uint8Array): Uint8Array {
  const ok = (i: number) => !reliable || reliable[i] === 1;
  const count = new Int32Array(n).fill(1); // a face is its own neighbour
  for (let e = 0; e < pairs.count; e++) {
    if (ok(pairs.b[e])) count[pairs.a[e]]++;
    if (ok(pairs.a[e])) count[pairs.b[e]]++;
  }
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = ok(i) && count[i] >= minFaces ? 1 : 0;
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

/** Groups of at least `minFaces` faces, as lists of faces, in no particular order. */
function collectGroups(
  n: number,
  core: Uint8Array,
  attached: Uint8Array,
  groups: PhotoAwareGroups,
  minFaces: number,
): number[][] {
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!core[i] && !attached[i]) continue;
    const root = groups.find(i);
    const list = byRoot.get(root);
    if (list) list.push(i);
    else byRoot.set(root, [i]);
  }
  return [...byRoot.values()].filter((faces) => faces.length >= minFaces);
}

/** The vote of step 6: how far a face looks, and what the winning group needs. */
interface VoteRule {
  radius: number;
  minVotes: number;
  share: number;
}

/**
 * The group a face is voted into, or -1: the group holding most of the grouped faces within the
 * rule's radius (ties to the lower group), when it holds more than `share` of them, at least
 * `minVotes`, and the nearest of them (ties to the lower face). Also returns the distance to its
 * nearest face in that group.
 */
function vote(
  i: number,
  group: Int32Array,
  rule: VoteRule,
  within: Within,
): { g: number; d: number } {
  const votes = new Map<number, number>();
  let total = 0, nearest = -1, nearestD = Infinity, nearestJ = -1;
  within(i, rule.radius, (j, d) => {
    const g = group[j];
    if (g < 0 || j === i) return;
    total++;
    votes.set(g, (votes.get(g) ?? 0) + 1);
    if (d < nearestD || (d === nearestD && j < nearestJ)) [nearest, nearestD, nearestJ] = [g, d, j];
  });
  let best = -1, bestVotes = 0;
  for (const [g, v] of votes) {
    if (v > bestVotes || (v === bestVotes && g < best)) [best, bestVotes] = [g, v];
  }
  const won = best >= 0 && best === nearest && bestVotes >= rule.minVotes &&
    bestVotes > rule.share * total;
  return won ? { g: best, d: nearestD } : { g: -1, d: Infinity };
}

/**
 * Step 6: attach left-over faces to the group their grouped neighbours are in, then check every
 * attached face again against the final groups. Changes `kept` (faces are added to its lists).
 */
function attachByVotes(
  kept: number[][],
  photo: Int32Array,
  rule: VoteRule,
  within: Within,
): void {
  const n = photo.length;
  const group = new Int32Array(n).fill(-1);
  kept.forEach((faces, g) => faces.forEach((i) => (group[i] = g)));
  const photos = kept.map((faces) => new Set(faces.map((i) => photo[i])));
  const voted: number[] = [];
  for (let round = 0; round < 3; round++) {
    const candidates: { d: number; i: number; g: number }[] = [];
    for (let i = 0; i < n; i++) {
      if (group[i] >= 0) continue;
      const { g, d } = vote(i, group, rule, within);
      if (g >= 0) candidates.push({ d, i, g });
    }
    candidates.sort((a, b) => a.d - b.d || a.i - b.i);
    let moved = 0;
    for (const { i, g } of candidates) {
      if (photos[g].has(photo[i])) continue;
      group[i] = g;
      photos[g].add(photo[i]);
      kept[g].push(i);
      voted.push(i);
      moved++;
    }
    if (moved === 0) break;
  }
  // The check, all at once against the same final groups, so its order does not matter.
  const leaving = new Set(voted.filter((i) => vote(i, group, rule, within).g !== group[i]));
  if (leaving.size === 0) return;
  for (let g = 0; g < kept.length; g++) kept[g] = kept[g].filter((i) => !leaving.has(i));
}

/** The result: faces ascending in each group, groups largest first, ties by their first face. */
function sortGroups(kept: number[][], n: number, core: Uint8Array, refused: number): DensityResult {
  const groups = kept.map((faces) => [...faces].sort((a, b) => a - b))
    .sort((x, y) => y.length - x.length || x[0] - y[0]);
  const group = new Int32Array(n).fill(-1);
  groups.forEach((faces, g) => {
    for (const i of faces) group[i] = g;
  });
  return { group, groups, core, refused };
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
