/**
 * The figures a report shows, computed from per-photo outcomes: the confusion matrix, per-person
 * precision and recall, and the open-set threshold curve.
 *
 * @module
 */
import type { Box } from "../face/geometry.ts";

/** What happened to one labelled photo. */
export interface Outcome {
  path: string;
  /** The true person. */
  label: string;
  /** The best guess, or a marker such as "(no face)" that is not a person. */
  predicted: string;
  /** Probability of the best guess (0 without a face). */
  probability: number;
  /** The face the prediction came from, when there was one. */
  box?: Box;
}

/** One person's figures. */
export interface ClassFigures {
  name: string;
  /** Photos of this person. */
  support: number;
  /** Photos predicted to be this person. */
  predicted: number;
  /** Photos of this person predicted as this person. */
  correct: number;
  /** correct / predicted; undefined when nobody was predicted as this person. */
  precision: number | undefined;
  /** correct / support; undefined without photos of this person. */
  recall: number | undefined;
}

/** The confusion matrix and the figures derived from it. */
export interface Classification {
  /** Row names: the people. */
  labels: string[];
  /** Column names: the people, then markers such as "(no face)" in order of first appearance. */
  columns: string[];
  /** `counts[row][column]`. */
  counts: number[][];
  perClass: ClassFigures[];
  total: number;
  correct: number;
  accuracy: number | undefined;
}

/**
 * Tabulate outcomes. Outcomes whose label is not in `labels` are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classification } from "./stats.ts";
 *
 * const c = classification(["Ada", "Bob"], [
 *   { path: "a1", label: "Ada", predicted: "Ada", probability: 0.9 },
 *   { path: "a2", label: "Ada", predicted: "Bob", probability: 0.6 },
 *   { path: "b1", label: "Bob", predicted: "(no face)", probability: 0 },
 * ]);
 * assert.deepEqual(c.columns, ["Ada", "Bob", "(no face)"]);
 * assert.equal(c.perClass[0].recall, 0.5);
 * assert.equal(c.perClass[1].precision, 0);
 * ```
 */
export function classification(
  labels: readonly string[],
  outcomes: readonly Outcome[],
): Classification {
  const known = new Set(labels);
  const scored = outcomes.filter((o) => known.has(o.label));
  const columns = [...labels];
  for (const o of scored) if (!columns.includes(o.predicted)) columns.push(o.predicted);
  const counts = labels.map(() => columns.map(() => 0));
  for (const o of scored) counts[labels.indexOf(o.label)][columns.indexOf(o.predicted)]++;
  const perClass = labels.map((name, i) => {
    const support = counts[i].reduce((a, b) => a + b, 0);
    const predicted = counts.reduce((n, row) => n + row[i], 0);
    const correct = counts[i][i];
    return {
      name,
      support,
      predicted,
      correct,
      precision: predicted > 0 ? correct / predicted : undefined,
      recall: support > 0 ? correct / support : undefined,
    };
  });
  const correct = perClass.reduce((n, c) => n + c.correct, 0);
  return {
    labels: [...labels],
    columns,
    counts,
    perClass,
    total: scored.length,
    correct,
    accuracy: scored.length > 0 ? correct / scored.length : undefined,
  };
}

/** One point of the threshold curve. */
export interface ThresholdPoint {
  threshold: number;
  /** Share of the photos with a face whose top probability reaches the threshold. */
  accepted: number;
  /** Share of those accepted photos that are named correctly; undefined when none is accepted. */
  accuracy: number | undefined;
}

/**
 * How accepting only faces at or above a threshold trades coverage for accuracy, at `steps + 1`
 * evenly spaced thresholds from 0 to 1. Only outcomes with a face (a person as prediction) count.
 */
export function thresholdCurve(
  labels: readonly string[],
  outcomes: readonly Outcome[],
  steps = 50,
): ThresholdPoint[] {
  const people = new Set(labels);
  const faces = outcomes.filter((o) => people.has(o.predicted) && people.has(o.label));
  if (faces.length === 0) return [];
  return Array.from({ length: steps + 1 }, (_, i) => {
    const threshold = i / steps;
    const accepted = faces.filter((o) => o.probability >= threshold - 1e-9);
    const right = accepted.filter((o) => o.predicted === o.label).length;
    return {
      threshold,
      accepted: accepted.length / faces.length,
      accuracy: accepted.length > 0 ? right / accepted.length : undefined,
    };
  });
}
