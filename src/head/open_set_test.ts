import assert from "node:assert/strict";
import { seededRandom } from "../dataset/random.ts";
import { calibrateOpenSet, centroidDistance, quantile } from "./open_set.ts";
import { distance } from "./vectors.ts";

const DIM = 6;

/** The unit vector along axis `k`. */
function axis(k: number): Float32Array {
  const v = new Float32Array(DIM);
  v[k] = 1;
  return v;
}

/** A unit vector at Euclidean distance `d` from axis `from`, turned towards axis `to`. */
function at(from: number, to: number, d: number): Float32Array {
  const angle = 2 * Math.asin(d / 2);
  const v = new Float32Array(DIM);
  v[from] = Math.cos(angle);
  v[to] = Math.sin(angle);
  return v;
}

Deno.test("quantile interpolates between order statistics", () => {
  assert.equal(quantile([3, 1, 2], 0), 1);
  assert.equal(quantile([3, 1, 2], 1), 3);
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([10, 0], 0.25), 2.5);
  assert.throws(() => quantile([], 0.5), RangeError);
  assert.throws(() => quantile([1], 1.5), /Invalid quantile "1.5"/);
});

Deno.test("calibrateOpenSet: a person's threshold sits at the target share of their strangers", () => {
  // Ann's and Bob's centroids lie on two axes, sqrt(2) apart. Twenty strangers stand 0.30, 0.31,
  // ..., 0.49 from Ann; Bob's one face is a stranger to Ann at sqrt(2). With a 7.5% target and
  // no pooling, Ann's threshold is the 7.5% quantile of those 21 distances, 1.5 of the 20 steps
  // between order statistics: midway between the second and third nearest, 0.315.
  const strangers = Array.from({ length: 20 }, (_, i) => at(0, 2, 0.30 + i / 100));
  const ann = { label: "Ann", train: [axis(0)], heldOut: [at(0, 3, 0.2), at(0, 3, 0.4)] };
  const bob = { label: "Bob", train: [axis(1)], heldOut: [] };
  const info = calibrateOpenSet([ann, bob], strangers, {
    strangerAcceptance: 0.075,
    shrinkage: 0,
    minHeldOutAcceptance: 0,
  });
  assert.equal(info.people.Ann.threshold, 0.315);
  assert.deepEqual(info.people.Ann.strangers, {
    faces: 21,
    accepted: Math.round((2 / 21) * 1e4) / 1e4,
  });
  // Ann's held-out faces at 0.2 and 0.4: the threshold accepts the first only.
  assert.deepEqual(info.people.Ann.heldOut, { faces: 2, accepted: 0.5 });
  // Bob's strangers are Ann's three faces, all about sqrt(2) away.
  assert.equal(info.people.Bob.strangers.faces, 3);
  assert.ok(Math.abs(info.people.Bob.threshold - Math.SQRT2) < 1e-3);
  assert.deepEqual(info.data, { heldOut: "held-out faces", otherPeopleFaces: 4, unknownFaces: 20 });
  assert.match(info.rule, /at most 7.5% of the stranger faces/);
});

Deno.test("calibrateOpenSet on overlapping clouds: accepts the target share of strangers", () => {
  // Ann's own faces lie 0.10..0.40 from her centroid, strangers 0.30..0.60: they overlap on
  // 0.30..0.40. At a 5% target the threshold is near 0.30 + 5% of 0.30 = 0.315, which accepts
  // about (0.315 - 0.10) / 0.30 = 72% of her own held-out faces.
  const random = seededRandom(7);
  const spread = (lo: number, hi: number, to: number) => at(0, to, lo + (hi - lo) * random());
  const own = Array.from({ length: 400 }, () => spread(0.1, 0.4, 3));
  const strangers = Array.from({ length: 400 }, () => spread(0.3, 0.6, 2));
  const info = calibrateOpenSet(
    [
      { label: "Ann", train: [axis(0)], heldOut: own },
      { label: "Bob", train: [axis(1)], heldOut: [] },
    ],
    strangers,
    { shrinkage: 0 },
  );
  const ann = info.people.Ann;
  assert.ok(Math.abs(ann.threshold - 0.315) < 0.01, `threshold ${ann.threshold}`);
  assert.ok(Math.abs(ann.strangers.accepted! - 0.05) < 0.01, `strangers ${ann.strangers.accepted}`);
  assert.ok(Math.abs(ann.heldOut.accepted! - 0.72) < 0.05, `own ${ann.heldOut.accepted}`);
});

Deno.test("calibrateOpenSet pools a person with few strangers towards everyone's threshold", () => {
  // Ann claims 40 strangers at 0.40; Bob claims 2 at 0.20, and Ann's face (sqrt(2) away).
  const strangers = [
    ...Array.from({ length: 40 }, () => at(0, 2, 0.4)),
    ...Array.from({ length: 2 }, () => at(1, 2, 0.2)),
  ];
  const people = [
    { label: "Ann", train: [axis(0)], heldOut: [] },
    { label: "Bob", train: [axis(1)], heldOut: [] },
  ];
  const alone = calibrateOpenSet(people, strangers, { shrinkage: 0 });
  const pooled = calibrateOpenSet(people, strangers, { shrinkage: 20 });
  const bobAlone = quantile([0.2, 0.2, Math.SQRT2], 0.05);
  assert.ok(Math.abs(alone.people.Bob.threshold - bobAlone) < 1e-4);
  // Over all 44 stranger distances the 5% quantile falls among the 0.20 and 0.40 ones.
  const all = quantile([0.2, 0.2, ...new Array(40).fill(0.4), Math.SQRT2, Math.SQRT2], 0.05);
  assert.ok(Math.abs(pooled.pooled - all) < 1e-4);
  const expected = (3 * bobAlone + 20 * all) / 23;
  assert.ok(Math.abs(pooled.people.Bob.threshold - expected) < 1e-4);
  assert.ok(pooled.people.Bob.threshold > alone.people.Bob.threshold);
});

Deno.test("calibrateOpenSet keeps half of a look-alike's own faces", () => {
  // Strangers (0.05) are closer than Ann's own faces (0.1..0.4): the stranger target alone would
  // reject every face of hers, so her threshold rises to the median of her held-out faces.
  const own = [0.1, 0.2, 0.3, 0.4].map((d) => at(0, 3, d));
  const strangers = Array.from({ length: 30 }, () => at(0, 2, 0.05));
  const info = calibrateOpenSet(
    [
      { label: "Ann", train: [axis(0)], heldOut: own },
      { label: "Bob", train: [axis(1)], heldOut: [] },
    ],
    strangers,
    { shrinkage: 0 },
  );
  assert.ok(Math.abs(info.people.Ann.threshold - 0.25) < 1e-4);
  assert.equal(info.people.Ann.heldOut.accepted, 0.5);
});

Deno.test("calibrateOpenSet stores unit centroids that centroidDistance measures against", () => {
  const a = [at(0, 1, 0.2), at(0, 2, 0.2)];
  const info = calibrateOpenSet([
    { label: "Ann", train: a, heldOut: [] },
    { label: "Bob", train: [axis(3)], heldOut: [] },
  ], []);
  const c = info.centroids.Ann;
  assert.ok(Math.abs(Math.hypot(...c) - 1) < 1e-5);
  assert.ok(Math.abs(centroidDistance(info, "Ann", c) - 0) < 1e-6);
  assert.ok(Math.abs(centroidDistance(info, "Bob", axis(0)) - distance(axis(0), axis(3))) < 1e-6);
  assert.throws(() => centroidDistance(info, "Cleo", axis(0)), /no centroid for "Cleo"/);
  assert.equal(info.data.unknownFaces, 0);
});

Deno.test("calibrateOpenSet rejects bad input with what to do", () => {
  const ann = { label: "Ann", train: [axis(0)], heldOut: [] };
  assert.throws(() => calibrateOpenSet([ann], []), /at least 2 people/);
  assert.throws(
    () => calibrateOpenSet([ann, { label: "Bob", train: [], heldOut: [] }], []),
    /"Bob" has no training face/,
  );
  const bob = { label: "Bob", train: [axis(1)], heldOut: [] };
  assert.throws(
    () => calibrateOpenSet([ann, bob], [], { strangerAcceptance: 2 }),
    /Invalid strangerAcceptance "2"/,
  );
  assert.throws(() => calibrateOpenSet([ann, bob], [], { shrinkage: -1 }), RangeError);
});
