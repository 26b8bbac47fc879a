/**
 * Exact range queries over many descriptors without an N x N matrix: points are grouped into
 * cells round leaders, and the triangle inequality rules out whole cells and most members of the
 * rest. The final decision for every candidate is the same distance computation as the
 * brute-force search ({@linkcode bruteForceRange}), so both find exactly the same neighbours.
 *
 * @module
 */
import { seededRandom } from "../dataset/random.ts";

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

/** Dimensions of the random orthonormal projection used for cheap lower bounds. */
const PROJECTED = 32;

/** Slack on every pruning bound, so that rounding can never drop a true neighbour. */
const SLACK = 1e-6;

/** Options of {@linkcode NeighbourIndex}. */
export interface IndexOptions {
  /** Radius of a cell round its leader (default 0.5: about one person's faces). */
  cellRadius?: number;
}

/**
 * Exact range queries by cells: every point belongs to the first leader (in point order) within
 * `cellRadius`, or leads a new cell. A query skips a cell when the triangle inequality proves it
 * holds no point within the radius, and inside a cell checks only the members whose distance to
 * the leader is within the radius of the query's. Leaders are first compared in a 32-d random
 * orthonormal projection, a distance that can only be shorter, so most cells are ruled out at a
 * quarter of the cost.
 *
 * Distances between random directions in 128 dimensions are all nearly equal, which defeats
 * pivot trees (a vantage-point tree visited both halves almost every time here); the cells do not
 * depend on that, because the pivot for a point is its own leader, which is near.
 *
 * @example Every point within 0.5 of point 0
 * ```ts
 * import assert from "node:assert/strict";
 * import { NeighbourIndex } from "./neighbours.ts";
 *
 * const data = new Float32Array([0, 0, 0.3, 0, 3, 0, 3, 0.4]);
 * const index = new NeighbourIndex({ data, dim: 2 });
 * assert.deepEqual(index.within(0, 0.5), [0, 1]);
 * ```
 */
export class NeighbourIndex {
  /** The points the index holds. */
  readonly points: Points;
  readonly #basis: Float64Array;
  readonly #m: number;
  /** Leader of each cell (point index). */
  readonly #leaders: Int32Array;
  /** Projection of each leader, `#m` numbers each. */
  readonly #leaderProj: Float64Array;
  /** Largest member distance to the leader, per cell. */
  readonly #radius: Float64Array;
  /** Members of each cell, by distance to the leader: cell k is `#members[#start[k].. #start[k+1])`. */
  readonly #start: Int32Array;
  readonly #members: Int32Array;
  readonly #memberDist: Float64Array;

  /** Build the index; deterministic for given points. */
  constructor(points: Points, options: IndexOptions = {}) {
    this.points = points;
    const n = pointCount(points);
    const cellRadius = options.cellRadius ?? 0.5;
    this.#m = Math.min(PROJECTED, points.dim);
    this.#basis = orthonormalBasis(points.dim, this.#m, 0x5eed);
    const proj = new Float64Array(this.#m);
    const leaders: number[] = [];
    let leaderProj = new Float64Array(64 * this.#m);
    const cellOf = new Int32Array(n);
    const distOf = new Float64Array(n);
    const { data, dim } = points;
    for (let i = 0; i < n; i++) {
      const row = data.subarray(i * dim, (i + 1) * dim);
      this.#project(row, proj, 0);
      let cell = -1;
      for (let k = 0; k < leaders.length; k++) {
        if (projectedDistance(proj, leaderProj, k, this.#m) > cellRadius + SLACK) continue;
        const d = pointDistance(points, leaders[k], row);
        if (d <= cellRadius) {
          cell = k;
          distOf[i] = d;
          break;
        }
      }
      if (cell < 0) {
        cell = leaders.length;
        leaders.push(i);
        if (leaderProj.length < leaders.length * this.#m) {
          const grown = new Float64Array(leaderProj.length * 2);
          grown.set(leaderProj);
          leaderProj = grown;
        }
        leaderProj.set(proj, cell * this.#m);
        distOf[i] = 0;
      }
      cellOf[i] = cell;
    }
    this.#leaders = Int32Array.from(leaders);
    this.#leaderProj = leaderProj.slice(0, leaders.length * this.#m);
    const k = leaders.length;
    this.#start = new Int32Array(k + 1);
    for (let i = 0; i < n; i++) this.#start[cellOf[i] + 1]++;
    for (let c = 0; c < k; c++) this.#start[c + 1] += this.#start[c];
    const fill = this.#start.slice(0, k);
    this.#members = new Int32Array(n);
    for (let i = 0; i < n; i++) this.#members[fill[cellOf[i]]++] = i;
    this.#memberDist = new Float64Array(n);
    this.#radius = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const from = this.#start[c], to = this.#start[c + 1];
      const cell = Array.from(this.#members.subarray(from, to));
      cell.sort((a, b) => distOf[a] - distOf[b] || a - b);
      cell.forEach((i, p) => {
        this.#members[from + p] = i;
        this.#memberDist[from + p] = distOf[i];
      });
      this.#radius[c] = distOf[cell[cell.length - 1]];
    }
  }

  /** Number of cells. */
  get cells(): number {
    return this.#leaders.length;
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

  /** Call `found(index, distance)` for every point within `radius` of `query`, cell by cell. */
  visit(query: Float32Array, radius: number, found: (j: number, d: number) => void): void {
    const m = this.#m;
    const proj = new Float64Array(m);
    this.#project(query, proj, 0);
    const members = this.#members, memberDist = this.#memberDist;
    for (let c = 0; c < this.#leaders.length; c++) {
      const reach = this.#radius[c] + radius + SLACK;
      if (projectedDistance(proj, this.#leaderProj, c, m) > reach) continue;
      const d = pointDistance(this.points, this.#leaders[c], query);
      if (d > reach) continue;
      const from = this.#start[c], to = this.#start[c + 1];
      // Members sorted by distance to the leader: only those in [d - radius, d + radius] can be near.
      let p = lowerBound(memberDist, from, to, d - radius - SLACK);
      for (; p < to && memberDist[p] <= d + radius + SLACK; p++) {
        const j = members[p];
        const dj = pointDistance(this.points, j, query);
        if (dj <= radius) found(j, dj);
      }
    }
  }

  #project(row: ArrayLike<number>, out: Float64Array, at: number): void {
    const dim = this.points.dim, basis = this.#basis;
    for (let r = 0; r < this.#m; r++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += basis[r * dim + k] * row[k];
      out[at + r] = s;
    }
  }
}

/** Distance between a projected query and leader `k`'s projection. */
function projectedDistance(
  proj: Float64Array,
  leaders: Float64Array,
  k: number,
  m: number,
): number {
  let s = 0;
  const base = k * m;
  for (let r = 0; r < m; r++) {
    const t = proj[r] - leaders[base + r];
    s += t * t;
  }
  // Rounding in the projection may make it a hair longer than the true distance.
  return Math.sqrt(s) * (1 - 1e-9);
}

/** First position in `values[from..to)` (ascending) holding at least `x`. */
function lowerBound(values: Float64Array, from: number, to: number, x: number): number {
  let lo = from, hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `m` orthonormal rows of `dim` numbers (seeded Gaussian, Gram-Schmidt). */
function orthonormalBasis(dim: number, m: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const uniform = () => 1 - random(); // in (0, 1]: log() stays finite
  const basis = new Float64Array(m * dim);
  for (let r = 0; r < m; r++) {
    const row = basis.subarray(r * dim, (r + 1) * dim);
    for (let k = 0; k < dim; k++) {
      row[k] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    }
    for (let q = 0; q < r; q++) {
      const prev = basis.subarray(q * dim, (q + 1) * dim);
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += row[k] * prev[k];
      for (let k = 0; k < dim; k++) row[k] -= dot * prev[k];
    }
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += row[k] * row[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < dim; k++) row[k] /= norm;
  }
  return basis;
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
