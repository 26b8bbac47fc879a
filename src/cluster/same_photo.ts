/**
 * The same-photo rule: two faces of one photo are two people, so they never share a group.
 *
 * Groups grow by merging (union-find); each group keeps the set of photos its faces come from,
 * and a merge that would put two faces of one photo together is refused.
 *
 * @module
 */

/**
 * Disjoint groups of faces that refuse to hold two faces of one photo.
 *
 * @example Faces 0 and 1 come from photo 7: they cannot be joined, even through face 2
 * ```ts
 * import assert from "node:assert/strict";
 * import { PhotoAwareGroups } from "./same_photo.ts";
 *
 * const groups = new PhotoAwareGroups(new Int32Array([7, 7, 8]));
 * assert.equal(groups.join(0, 2), true);
 * assert.equal(groups.join(1, 2), false);
 * assert.equal(groups.find(0), groups.find(2));
 * ```
 */
export class PhotoAwareGroups {
  readonly #parent: Int32Array;
  readonly #size: Int32Array;
  /** The photos of each root's group; absent for a face on its own (its photo is `photo[i]`). */
  readonly #photos = new Map<number, Set<number>>();
  readonly #photo: Int32Array;

  /**
   * Every face in a group of its own.
   *
   * @param photo the photo of each face: faces with equal numbers come from one photo.
   */
  constructor(photo: Int32Array) {
    const n = photo.length;
    this.#photo = photo;
    this.#parent = new Int32Array(n);
    this.#size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.#parent[i] = i;
  }

  /** The representative face of `i`'s group. */
  find(i: number): number {
    const parent = this.#parent;
    let root = i;
    while (parent[root] !== root) root = parent[root];
    while (parent[i] !== root) {
      const next = parent[i];
      parent[i] = root;
      i = next;
    }
    return root;
  }

  /** Faces in `i`'s group. */
  size(i: number): number {
    return this.#size[this.find(i)];
  }

  /** Whether `i`'s group holds a face of `photo`. */
  hasPhoto(i: number, photo: number): boolean {
    const root = this.find(i);
    return this.#photosOf(root).has(photo);
  }

  /**
   * Join the groups of `a` and `b` unless that puts two faces of one photo together.
   *
   * @returns whether they are in one group now.
   */
  join(a: number, b: number): boolean {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return true;
    let pa = this.#photosOf(ra), pb = this.#photosOf(rb);
    if (pa.size < pb.size) [ra, rb, pa, pb] = [rb, ra, pb, pa];
    for (const p of pb) if (pa.has(p)) return false;
    for (const p of pb) pa.add(p);
    // The group with more photos absorbs the other (fewer set insertions). Which face is the
    // root never shows: groups are reported by their members.
    this.#parent[rb] = ra;
    this.#size[ra] += this.#size[rb];
    this.#photos.set(ra, pa);
    this.#photos.delete(rb);
    return true;
  }

  #photosOf(root: number): Set<number> {
    return this.#photos.get(root) ?? new Set([this.#photo[root]]);
  }
}
