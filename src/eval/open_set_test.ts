import assert from "node:assert/strict";
import type { RecognizedFace } from "../head/recognizer.ts";
import { CURVE, NOBODY, openSetFigures, openSetOutcome } from "./open_set.ts";

/** A face named `bestGuess` at `distance` from its centroid, held to `threshold`. */
function face(bestGuess: string, distance: number, threshold = 0.35): RecognizedFace {
  const accepted = distance <= threshold;
  return {
    box: { x: 0, y: 0, width: 10, height: 10 },
    name: accepted ? bestGuess : "unknown",
    probability: 0.9,
    bestGuess,
    margin: threshold - distance,
    distance,
    threshold,
    detectionScore: 0.9,
  };
}

Deno.test("openSetOutcome: a photo names its most confident accepted face, else nobody", () => {
  const photo = { path: "a.jpg", label: "Ann", known: true };
  // A teammate far off and Ann well inside her threshold: the photo names Ann.
  const both = openSetOutcome(photo, [face("Bob", 0.5), face("Ann", 0.2)]);
  assert.equal(both.answer, "Ann");
  assert.equal(both.margin, 0.15);
  assert.deepEqual(both.nearest, { bestGuess: "Ann", distance: 0.2 });
  // The most confident face is the one with the largest margin, not the first.
  assert.equal(openSetOutcome(photo, [face("Bob", 0.3), face("Ann", 0.1)]).answer, "Ann");
  // No face accepted: nobody, with the best (negative) margin kept.
  const none = openSetOutcome(photo, [face("Ann", 0.4), face("Bob", 0.6)]);
  assert.equal(none.answer, NOBODY);
  assert.equal(none.margin, -0.05);
  const empty = openSetOutcome(photo, []);
  assert.equal(empty.answer, NOBODY);
  assert.equal(empty.margin, undefined);
  assert.equal(empty.nearest, undefined);
});

Deno.test("openSetFigures: known accuracy, rejection, whom strangers were taken for, the curve", () => {
  const known = (label: string, faces: RecognizedFace[], path = `${label}.jpg`) =>
    openSetOutcome({ path, label, known: true }, faces);
  const stranger = (label: string, faces: RecognizedFace[], path = `${label}.jpg`) =>
    openSetOutcome({ path, label, known: false }, faces);
  const photos = [
    known("Ann", [face("Ann", 0.2)], "a1"), // right
    known("Ann", [face("Ann", 0.4)], "a2"), // too far: called unknown, wrong
    known("Bob", [face("Ann", 0.3)], "b1"), // accepted as the wrong person
    known("Bob", [], "b2"), // no face: wrong
    stranger("Cleo", [face("Bob", 0.5)], "c1"), // rejected
    stranger("Cleo", [face("Bob", 0.25)], "c2"), // taken for Bob
    stranger("_unknown", [], "u1"), // no face: names nobody, a rejection
  ];
  const r = openSetFigures(photos);
  assert.deepEqual(r.known, { total: 4, correct: 1, accuracy: 0.25, rejected: 2 });
  assert.deepEqual(r.unknown, {
    total: 3,
    rejected: 2,
    rejection: Math.round((2 / 3) * 1e4) / 1e4,
    takenFor: { Bob: 1 },
  });
  assert.deepEqual(r.unknownFolders, {
    Cleo: { total: 2, rejected: 1 },
    _unknown: { total: 1, rejected: 1 },
  });
  assert.equal(r.photos.length, photos.length);
  const at = (t: number) => r.curve.find((p) => Math.abs(p.threshold - t) < 1e-9)!;
  assert.equal(r.curve[0].threshold, CURVE.from);
  assert.equal(r.curve[r.curve.length - 1].threshold, CURVE.to);
  // At 0.1 nobody is named: every stranger is rejected and no known photo is right.
  assert.deepEqual(at(0.1), { threshold: 0.1, knownAccuracy: 0, rejection: 1 });
  // At 0.45 a2 becomes right, c2 is taken for Bob; c1 (0.5) still rejected.
  assert.deepEqual(at(0.45), {
    threshold: 0.45,
    knownAccuracy: 0.5,
    rejection: Math.round((2 / 3) * 1e4) / 1e4,
  });
  for (let i = 1; i < r.curve.length; i++) {
    assert.ok(r.curve[i].knownAccuracy >= r.curve[i - 1].knownAccuracy, "known accuracy rises");
    assert.ok(r.curve[i].rejection <= r.curve[i - 1].rejection, "rejection falls");
  }
});
