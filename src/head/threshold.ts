/**
 * The probability below which a face is called unknown.
 *
 * @module
 */

/** A threshold and the rule that produced it, stored with the model so a user can read why. */
export interface Threshold {
  value: number;
  rule: string;
}

/** Share of correctly named validation faces that the threshold may reject. */
export const DEFAULT_REJECT_SHARE = 0.05;

/**
 * Choose the threshold from the top probabilities of correctly named validation faces: the value
 * that still accepts `1 - rejectShare` of them, never below chance (1 / classes).
 */
export function chooseThreshold(
  correctProbabilities: readonly number[],
  classes: number,
  rejectShare = DEFAULT_REJECT_SHARE,
): Threshold {
  const floor = 1 / classes;
  if (correctProbabilities.length === 0) {
    return { value: floor, rule: `chance level 1/${classes}: no correctly named validation face` };
  }
  const sorted = [...correctProbabilities].sort((a, b) => a - b);
  const at = Math.floor(rejectShare * sorted.length);
  const value = Math.max(floor, sorted[Math.min(at, sorted.length - 1)]);
  return {
    value: Math.round(value * 1e4) / 1e4,
    rule:
      `accepts ${Math.round((1 - rejectShare) * 100)}% of the ${sorted.length} correctly named ` +
      "validation faces (never below chance)",
  };
}
