import assert from "node:assert/strict";
import { applySimilarity, clampBox, fitSimilarity, iou, nonMaxSuppression } from "./geometry.ts";

Deno.test("fitSimilarity recovers a known rotation, scale and shift", () => {
  const angle = 0.3, scale = 2.5, tx = 40, ty = -7;
  const truth = { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx, ty };
  const from = [{ x: 0, y: 0 }, { x: 10, y: 3 }, { x: -4, y: 8 }, { x: 6, y: -9 }];
  const to = from.map((p) => applySimilarity(truth, p));
  const fit = fitSimilarity(from, to);
  for (const k of ["a", "b", "tx", "ty"] as const) assert.ok(Math.abs(fit[k] - truth[k]) < 1e-9, k);
});

Deno.test("fitSimilarity is a least-squares fit under noise", () => {
  const from = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }];
  const to = [{ x: 0.1, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 0.9, y: 1 }];
  const fit = fitSimilarity(from, to);
  assert.ok(Math.abs(fit.b) < 0.1 && Math.abs(fit.a - 0.9) < 0.1, JSON.stringify(fit));
  assert.throws(() => fitSimilarity([{ x: 0, y: 0 }], [{ x: 0, y: 0 }]), RangeError);
  assert.throws(
    () => fitSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 2, y: 2 }]),
    RangeError,
  );
});

Deno.test("iou, nonMaxSuppression and clampBox", () => {
  const a = { x: 0, y: 0, width: 10, height: 10 };
  const b = { x: 5, y: 0, width: 10, height: 10 };
  assert.equal(iou(a, a), 1);
  assert.ok(Math.abs(iou(a, b) - 50 / 150) < 1e-12);
  assert.equal(iou(a, { x: 20, y: 20, width: 1, height: 1 }), 0);
  assert.deepEqual(
    nonMaxSuppression([a, b, { x: 1, y: 0, width: 10, height: 10 }], [0.5, 0.9, 0.8], 0.4),
    [1, 0],
  );
  assert.deepEqual(clampBox({ x: -5, y: 2, width: 10, height: 100 }, 8, 50), {
    x: 0,
    y: 2,
    width: 5,
    height: 48,
  });
});
