/**
 * Exact range queries over many descriptors without an N x N matrix: a vantage-point tree.
 *
 * Each node holds one point (the vantage point) and the distance that splits the rest into an
 * inner half and an outer half. A query at radius `r` skips a half whenever the triangle
 * inequality proves that no point in it can be within `r`. The final decision for every candidate
 * is the same distance computation as the brute-force search ({@linkcode bruteForceRange}), so both
 * find exactly the same neighbours.
 *
 * @module
 */

/** Descriptors stored row after row: `count` rows of `dim` numbers. */
export interface Points {
  /** The numbers, row-major. */
  data: Float32Array;
  /** Numbers per point. */
  dim: number;
}

/** Number of points in `points`. */
export function pointCount(points: Points): number {
  return points.data.length / points.dim;
}

/** Euclidean distance between point `i` of `points` and `query` (a row of `dim` numbers). */
export function pointDistance(points: Points, i: number, query: Float32Array, q = 0): number {
  const { data, dim } = points;
  let s = 0;
  const a = i * dim, b = q * dim;
  for (let k = 0; k < dim; k++) {
    const t = data[a + k] - query[b + k];
    s += t * t;
  }
  return Math.sqrt(s);
}

/** Points at most this far apart share a leaf's linear scan; below it a split costs more. */
const LEAF_SIZE = 16;

/** Slack on every pruning bound, so that rounding can never drop a true neighbour. */
const SLACK = 1e-6;

/**
 * A vantage-point tree over a fixed set of points, built once, queried many times.
 *
 * @example Every point within 0.5 of point 0
 * ```ts
 * import assert from "node:assert/strict";
 * import { VpTree } from "./neighbours.ts";
 *
 * const data = new Float32Array([0, 0, 0.3, 0, 3, 0, 3, 0.4]);
 * const tree = new VpTree({ data, dim: 2 });
 * assert.deepEqual(tree.within(0, 0.5), [0, 1]);
 * ```
 */
export class VpTree {
  /** The points the tree indexes. */
  readonly points: Points;
  /** Point indices, permuted so that every node's points form one range. */
  readonly #order: Int32Array;
  // Node k: its vantage point's position in #order (its range starts there), the range end, the
  // split distance, the inner half's largest distance, the outer half's smallest and largest.
  #start: Int32Array;
  #end: Int32Array;
  #inner: Int32Array;
  #outer: Int32Array;
  #innerMax: Float64Array;
  #outerMin: Float64Array;
  #outerMax: Float64Array;
  #nodes = 0;

  /** Build the tree; deterministic for given points. */
  constructor(points: Points) {
    this.points = points;
    const n = pointCount(points);
    this.#order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.#order[i] = i;
    const capacity = n + 1; // every node holds at least one point of its own
    this.#start = new Int32Array(capacity);
    this.#end = new Int32Array(capacity);
    this.#inner = new Int32Array(capacity).fill(-1);
    this.#outer = new Int32Array(capacity).fill(-1);
    this.#innerMax = new Float64Array(capacity);
    this.#outerMin = new Float64Array(capacity);
    this.#outerMax = new Float64Array(capacity);
    if (n > 0) this.#build(0, n, new Float64Array(n), { seed: 0x9e3779b9 });
  }

  /** Indices of the points within `radius` of point `i` (itself included), ascending. */
  within(i: number, radius: number): number[] {
    const { data, dim } = this.points;
    return this.withinVector(data.subarray(i * dim, (i + 1) * dim), radius);
  }

  /** Indices of the points within `radius` of `query`, ascending. */
  withinVector(query: Float32Array, radius: number): number[] {
    const found: number[] = [];
    this.visit(query, radius, (j) => found.push(j));
    return found.sort((a, b) => a - b);
  }

  /** Call `found(index, distance)` for every point within `radius` of `query`, in tree order. */
  visit(query: Float32Array, radius: number, found: (j: number, d: number) => void): void {
    if (this.#nodes === 0) return;
    const order = this.#order;
    const stack: number[] = [0];
    while (stack.length > 0) {
      const k = stack.pop()!;
      const start = this.#start[k], end = this.#end[k];
      if (this.#inner[k] < 0 && this.#outer[k] < 0) {
        for (let p = start; p < end; p++) {
          const j = order[p];
          const d = pointDistance(this.points, j, query);
          if (d <= radius) found(j, d);
        }
        continue;
      }
      const vp = order[start];
      const d = pointDistance(this.points, vp, query);
      if (d <= radius) found(vp, d);
      if (this.#inner[k] >= 0 && d - radius <= this.#innerMax[k] + SLACK) {
        stack.push(this.#inner[k]);
      }
      if (
        this.#outer[k] >= 0 && d + radius >= this.#outerMin[k] - SLACK &&
        d - radius <= this.#outerMax[k] + SLACK
      ) stack.push(this.#outer[k]);
    }
  }

  #build(start: number, end: number, dist: Float64Array, rng: { seed: number }): number {
    const k = this.#nodes++;
    this.#start[k] = start;
    this.#end[k] = end;
    if (end - start <= LEAF_SIZE) return k;
    const order = this.#order;
    // A pseudo-random vantage point (seeded: the same tree every run) avoids the bad trees that
    // a fixed choice gives on sorted input.
    rng.seed = (Math.imul(rng.seed, 1664525) + 1013904223) >>> 0;
    const pick = start + (rng.seed % (end - start));
    [order[start], order[pick]] = [order[pick], order[start]];
    const vp = order[start];
    const { data, dim } = this.points;
    const vpRow = data.subarray(vp * dim, (vp + 1) * dim);
    for (let p = start + 1; p < end; p++) dist[p] = pointDistance(this.points, order[p], vpRow);
    const mid = (start + 1 + end) >> 1;
    select(order, dist, start + 1, end, mid);
    let innerMax = 0, outerMin = Infinity, outerMax = 0;
    for (let p = start + 1; p < mid; p++) innerMax = Math.max(innerMax, dist[p]);
    for (let p = mid; p < end; p++) {
      outerMin = Math.min(outerMin, dist[p]);
      outerMax = Math.max(outerMax, dist[p]);
    }
    this.#innerMax[k] = innerMax;
    this.#outerMin[k] = outerMin;
    this.#outerMax[k] = outerMax;
    if (mid > start + 1) this.#inner[k] = this.#build(start + 1, mid, dist, rng);
    if (end > mid) this.#outer[k] = this.#build(mid, end, dist, rng);
    return k;
  }
}

/** Partially sort `order[lo..hi)` by `dist` so that position `nth` holds its rank (quickselect). */
function select(order: Int32Array, dist: Float64Array, lo: number, hi: number, nth: number): void {
  let left = lo, right = hi - 1;
  while (right > left) {
    const pivot = dist[(left + right) >> 1];
    let i = left, j = right;
    while (i <= j) {
      while (dist[i] < pivot) i++;
      while (dist[j] > pivot) j--;
      if (i <= j) {
        swap(order, dist, i, j);
        i++;
        j--;
      }
    }
    if (nth <= j) right = j;
    else if (nth >= i) left = i;
    else return;
  }
}

function swap(order: Int32Array, dist: Float64Array, i: number, j: number): void {
  const o = order[i];
  order[i] = order[j];
  order[j] = o;
  const d = dist[i];
  dist[i] = dist[j];
  dist[j] = d;
}

/**
 * The exact reference: every point within `radius` of point `i`, by comparing with all of them.
 * O(N) per query; for tests and small inputs.
 */
export function bruteForceRange(points: Points, i: number, radius: number): number[] {
  const { data, dim } = points;
  const query = data.subarray(i * dim, (i + 1) * dim);
  const found: number[] = [];
  const n = pointCount(points);
  for (let j = 0; j < n; j++) if (pointDistance(points, j, query) <= radius) found.push(j);
  return found;
}
