import assert from "node:assert/strict";
import { classification, type Outcome, thresholdCurve } from "./stats.ts";

const o = (label: string, predicted: string, probability: number): Outcome => ({
  path: `${label}/${Math.random()}`,
  label,
  predicted,
  probability,
});

Deno.test("classification: matrix with extra columns, precision and recall", () => {
  const c = classification(["A", "B", "C"], [
    o("A", "A", 0.9),
    o("A", "A", 0.8),
    o("A", "B", 0.5),
    o("B", "B", 0.7),
    o("B", "(no face)", 0),
    o("Z", "A", 0.9), // not one of the people: left out
  ]);
  assert.deepEqual(c.columns, ["A", "B", "C", "(no face)"]);
  assert.deepEqual(c.counts, [[2, 1, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0]]);
  assert.equal(c.total, 5);
  assert.equal(c.correct, 3);
  const [a, b, cc] = c.perClass;
  assert.deepEqual([a.support, a.predicted, a.correct, a.precision, a.recall], [3, 2, 2, 1, 2 / 3]);
  assert.deepEqual([b.precision, b.recall], [0.5, 0.5]);
  assert.deepEqual([cc.precision, cc.recall], [undefined, undefined]);
});

Deno.test("thresholdCurve trades accepted share for accuracy", () => {
  const curve = thresholdCurve(["A", "B"], [
    o("A", "A", 0.95),
    o("A", "B", 0.4),
    o("B", "B", 0.8),
    o("B", "(no face)", 0),
  ], 10);
  assert.equal(curve.length, 11);
  assert.deepEqual(curve[0], { threshold: 0, accepted: 1, accuracy: 2 / 3 });
  assert.deepEqual(curve[5], { threshold: 0.5, accepted: 2 / 3, accuracy: 1 });
  assert.equal(curve[10].accepted, 0);
  assert.equal(curve[10].accuracy, undefined);
  assert.deepEqual(thresholdCurve(["A"], [o("A", "(no face)", 0)]), []);
});
