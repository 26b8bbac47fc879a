/**
 * Stratified train/validation split: every person keeps the same share of photos on each side.
 *
 * @module
 */
import { seededRandom, shuffled } from "./random.ts";

/**
 * Split items per label, putting `fraction` of each label's items (at least one when a label has
 * two or more) into the validation side.
 *
 * @throws RangeError when `fraction` is not in [0, 1).
 *
 * @example Everyone on both sides
 * ```ts
 * import assert from "node:assert/strict";
 * import { stratifiedSplit } from "./split.ts";
 *
 * const photos = ["Ada", "Ada", "Ada", "Ada", "Bob", "Bob"].map((label, i) => ({ label, i }));
 * const { train, val } = stratifiedSplit(photos, 0.25, 42);
 * assert.equal(train.length + val.length, 6);
 * assert.deepEqual(val.map((p) => p.label).sort(), ["Ada", "Bob"]);
 * ```
 */
export function stratifiedSplit<T extends { label: string }>(
  items: readonly T[],
  fraction: number,
  seed: number,
): { train: T[]; val: T[] } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new RangeError(
      `Invalid validation fraction "${fraction}": use a number in [0, 1), e.g. 0.2`,
    );
  }
  const random = seededRandom(seed);
  const byLabel = new Map<string, T[]>();
  for (const item of items) {
    const list = byLabel.get(item.label) ?? [];
    list.push(item);
    byLabel.set(item.label, list);
  }
  const train: T[] = [];
  const val: T[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = shuffled(byLabel.get(label)!, random);
    let n = Math.round(list.length * fraction);
    if (fraction > 0 && list.length >= 2) n = Math.max(1, Math.min(n, list.length - 1));
    val.push(...list.slice(0, n));
    train.push(...list.slice(n));
  }
  return { train, val };
}
