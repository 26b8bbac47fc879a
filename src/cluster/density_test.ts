import assert from "node:assert/strict";
import { densityCluster } from "./density.ts";
import { bruteForceRange, NeighbourIndex } from "./neighbours.ts";
import { syntheticFaces } from "./test_fixtures.ts";

Deno.test("three people, three strays: the exact groups, largest first, strays unsorted", () => {
  // People of 6, 4 and 3 faces around far-apart centres; three strays far from everyone.
  const { points, identity } = syntheticFaces({
    sizes: [6, 4, 3],
    strays: 3,
    dim: 16,
    spread: 0.08,
    seed: 1,
  });
  const photo = Int32Array.from(identity.keys()); // every face its own photo
  const result = densityCluster(points, photo, { distance: 0.5, minFaces: 3 });
  const expected = [0, 1, 2].map((p) => [...identity.keys()].filter((i) => identity[i] === p));
  assert.deepEqual(result.groups, expected);
  for (let i = 0; i < identity.length; i++) {
    assert.equal(result.group[i], identity[i] < 3 ? identity[i] : -1, `face ${i}`);
  }
});

Deno.test("a group needs minFaces: two look-alike faces alone stay unsorted", () => {
  const data = new Float32Array([0, 0, 0.1, 0, 5, 5, 5.1, 5, 5, 5.1]);
  const result = densityCluster({ data, dim: 2 }, new Int32Array([0, 1, 2, 3, 4]), {
    distance: 0.5,
    minFaces: 3,
  });
  assert.deepEqual(result.groups, [[2, 3, 4]]);
  assert.deepEqual([...result.group], [-1, -1, 0, 0, 0]);
});

Deno.test("same-photo rule: two faces of one photo never share a group", () => {
  // One tight blob of 6 faces, but faces 0 and 3 come from photo 100, 1 and 4 from photo 101:
  // linkage would make one group; the rule splits it and keeps both photos' faces apart.
  const data = new Float32Array([0, 0, 0.05, 0, 0.1, 0, 0.15, 0, 0.2, 0, 0.25, 0]);
  const photo = new Int32Array([100, 101, 102, 100, 101, 103]);
  const result = densityCluster({ data, dim: 2 }, photo, { distance: 0.5, minFaces: 2 });
  for (const faces of result.groups) {
    const photos = faces.map((i) => photo[i]);
    assert.equal(new Set(photos).size, photos.length, `group ${faces} repeats a photo`);
  }
  assert.ok(result.refused > 0);
  assert.notEqual(result.group[0], result.group[3]);
  assert.notEqual(result.group[1], result.group[4]);
  // Without the rule (every face its own photo) they are one group.
  const free = densityCluster({ data, dim: 2 }, Int32Array.from(photo.keys()), {
    distance: 0.5,
    minFaces: 2,
  });
  assert.deepEqual(free.groups, [[0, 1, 2, 3, 4, 5]]);
});

Deno.test("a border face joins its nearest core's group, not one holding its photo", () => {
  // Cores A (x = -0.3..0) and B (x = 1..1.3); the border face 8 at x = 0.48 is nearer A, but A
  // holds a face of its photo (face 3, photo 9), so it goes to B.
  const xs = [0, -0.1, -0.2, -0.3, 1, 1.1, 1.2, 1.3, 0.48];
  const data = new Float32Array(xs.flatMap((x) => [x, 0]));
  const photo = new Int32Array([0, 1, 2, 9, 4, 5, 6, 7, 9]);
  const options = { distance: 0.53, minFaces: 4 };
  const result = densityCluster({ data, dim: 2 }, photo, options);
  assert.equal(result.groups.length, 2);
  assert.equal(result.core[8], 0);
  assert.equal(result.group[8], result.group[4]);
  const nearest = densityCluster({ data, dim: 2 }, Int32Array.from(photo.keys()), options);
  assert.equal(nearest.group[8], nearest.group[0]);
});

Deno.test("the same faces in another order give the same groups", () => {
  const { points, identity } = syntheticFaces({
    sizes: [9, 7, 7, 5, 3],
    strays: 6,
    dim: 32,
    spread: 0.2,
    seed: 7,
  });
  const photo = Int32Array.from(identity, (_, i) => Math.floor(i / 2)); // pairs share photos
  const base = densityCluster(points, photo, { distance: 0.9, minFaces: 3 });
  // Reverse the faces: groups, mapped back, must be the same sets (order by size may tie).
  const n = identity.length, dim = points.dim;
  const data = new Float32Array(points.data.length);
  const reversedPhoto = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    data.set(points.data.subarray(i * dim, (i + 1) * dim), (n - 1 - i) * dim);
    reversedPhoto[n - 1 - i] = photo[i];
  }
  const again = densityCluster({ data, dim }, reversedPhoto, { distance: 0.9, minFaces: 3 });
  const asSets = (groups: number[][], map: (i: number) => number) =>
    groups.map((g) => g.map(map).sort((a, b) => a - b).join(",")).sort();
  assert.deepEqual(asSets(again.groups, (i) => n - 1 - i), asSets(base.groups, (i) => i));
  assert.deepEqual(densityCluster(points, photo, { distance: 0.9, minFaces: 3 }), base);
});

Deno.test("the index finds exactly the brute-force neighbours, and the groups equal the exact search", () => {
  for (const seed of [3, 4, 5]) {
    const { points } = syntheticFaces({
      sizes: [40, 30, 30, 20, 20, 10],
      strays: 50,
      dim: 128,
      spread: 0.3,
      seed,
    });
    const n = points.data.length / points.dim;
    const index = new NeighbourIndex(points);
    for (const radius of [0.2, 0.45, 0.8]) {
      for (let i = 0; i < n; i += 7) {
        assert.deepEqual(index.within(i, radius), bruteForceRange(points, i, radius));
      }
    }
    const photo = Int32Array.from({ length: n }, (_, i) => i % 97);
    for (const distance of [0.4, 0.6]) {
      const fast = densityCluster(points, photo, { distance, search: "index" });
      const exact = densityCluster(points, photo, { distance, search: "exact" });
      assert.deepEqual(fast, exact);
    }
  }
});

Deno.test("bad options are refused with the value", () => {
  const points = { data: new Float32Array(4), dim: 2 };
  assert.throws(() => densityCluster(points, new Int32Array(2), { distance: 0 }), /"0"/);
  assert.throws(() => densityCluster(points, new Int32Array(2), { minFaces: 1.5 }), /"1.5"/);
  assert.throws(() => densityCluster(points, new Int32Array(3)), /3 photo numbers for 2 faces/);
});

Deno.test("attach step: a left-over face joins the group most of its grouped neighbours are in", () => {
  // Group A: 4 faces around x=0 (linking distance 0.3). Face 4 at x=0.75 is farther than 0.3 from
  // all, but within the attach radius 0.6 of two of A's faces: it joins A. Face 5 at x=-0.55 is
  // within 0.6 of one face only: one vote is not enough.
  const xs = [0, 0.1, 0.2, 0.3, 0.75, -0.55];
  const data = new Float32Array(xs.flatMap((x) => [x, 0]));
  const photo = Int32Array.from(xs.keys());
  const options = { distance: 0.3, minFaces: 3, attachDistance: 0.6 };
  const result = densityCluster({ data, dim: 2 }, photo, options);
  assert.deepEqual(result.groups, [[0, 1, 2, 3, 4]]);
  assert.equal(result.group[5], -1);
  // Off (attach distance = linking distance): face 4 stays unsorted.
  const off = densityCluster({ data, dim: 2 }, photo, { ...options, attachDistance: 0.3 });
  assert.deepEqual(off.groups, [[0, 1, 2, 3]]);
  // Not when its photo is already in the group.
  photo[4] = 2;
  assert.deepEqual(densityCluster({ data, dim: 2 }, photo, options).groups, [[0, 1, 2, 3]]);
});

Deno.test("attach step: split votes between two groups attach nowhere", () => {
  // Groups around x=0 and x=2; face 6 at x=1 has two neighbours in each within 0.75.
  const xs = [-0.2, -0.1, 0.3, 2.2, 2.1, 1.7, 1];
  const data = new Float32Array(xs.flatMap((x) => [x, 0]));
  const result = densityCluster({ data, dim: 2 }, Int32Array.from(xs.keys()), {
    distance: 0.41,
    minFaces: 3,
    attachDistance: 0.75,
  });
  assert.equal(result.groups.length, 2);
  assert.equal(result.group[6], -1);
});

/** 2-d points from [x, y] pairs. */
function plane(xy: [number, number][]) {
  return { data: new Float32Array(xy.flat()), dim: 2 };
}

Deno.test("unreliable faces: never core, so a tight bunch of them is no group; they may join one", () => {
  // Group A: 3 faces round x=0. A bunch of 4 faces round x=5 (tiny faces of strangers, say), and
  // face 7 at x=0.25, within the linking distance of A's core faces.
  const xs = [0, 0.1, 0.2, 5, 5.05, 5.1, 5.15, 0.25];
  const points = plane(xs.map((x) => [x, 0]));
  const photo = Int32Array.from(xs.keys());
  const options = { distance: 0.3, minFaces: 3 };
  assert.deepEqual(densityCluster(points, photo, options).groups, [[0, 1, 2, 7], [3, 4, 5, 6]]);
  const reliable = Uint8Array.from(xs, (_, i) => (i >= 3 ? 0 : 1));
  const gated = densityCluster(points, photo, { ...options, reliable });
  assert.deepEqual(gated.groups, [[0, 1, 2, 7]]);
  assert.deepEqual([...gated.core], [1, 1, 1, 0, 0, 0, 0, 0]);
  for (const i of [3, 4, 5, 6]) assert.equal(gated.group[i], -1, `face ${i}`);
  // An unreliable face does not count toward another's neighbours: with faces 2 and 7
  // unreliable, faces 0 and 1 have two reliable faces within the distance, too few for a core.
  const thin = Uint8Array.from(xs, (_, i) => (i === 2 || i === 7 ? 0 : 1));
  assert.deepEqual(densityCluster(points, photo, { ...options, reliable: thin }).groups, [[
    3,
    4,
    5,
    6,
  ]]);
  assert.throws(
    () => densityCluster(points, photo, { ...options, reliable: new Uint8Array(3) }),
    /3 reliable flags for 8 faces/,
  );
});

Deno.test("attach step: the group needs more than 3/4 of the votes, not a bare majority", () => {
  // Group A: 4 faces at x=0..0.25; group B: 3 faces at x=1.3..1.5. Face 7 at x=0.75 has 4 of
  // A and 3 of B within 0.9, its nearest in A.
  const xs = [0, 0.1, 0.2, 0.25, 1.3, 1.4, 1.5, 0.75];
  const points = plane(xs.map((x) => [x, 0]));
  const photo = Int32Array.from(xs.keys());
  const options = { distance: 0.3, minFaces: 3, attachDistance: 0.9 };
  const result = densityCluster(points, photo, options);
  assert.equal(result.groups.length, 2);
  assert.equal(result.group[7], -1);
  const majority = densityCluster(points, photo, { ...options, voteShare: 0.5 });
  assert.equal(majority.group[7], majority.group[0]);
  assert.throws(() => densityCluster(points, photo, { ...options, voteShare: 1 }), /"1"/);
});

Deno.test("attach step: the nearest grouped face must be in the winning group", () => {
  // Group A: 7 faces at x=0.2..0.5 on y=0; group B: 4 faces up the line x=1 from y=0.45. Face 11
  // at (1, 0) has 7 votes for A and 2 for B (7/9 > 3/4) but its nearest grouped face is B's.
  const a: [number, number][] = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5].map((x) => [x, 0]);
  const b = (shift: number): [number, number][] =>
    [0.45, 0.78, 1.1, 1.4].map((y) => [1, y + shift]);
  const options = { distance: 0.35, minFaces: 3, attachDistance: 0.9 };
  const photo = Int32Array.from({ length: 12 }, (_, i) => i);
  const near = densityCluster(plane([...a, ...b(0), [1, 0]]), photo, options);
  assert.equal(near.groups.length, 2);
  assert.equal(near.group[11], -1);
  // B a little higher: A's face is the nearest, and face 11 joins A.
  const far = densityCluster(plane([...a, ...b(0.1), [1, 0]]), photo, options);
  assert.equal(far.group[11], far.group[0]);
});

Deno.test("attach step: a face voted in early leaves when the final groups outvote it", () => {
  // Group A at x=0..0.2, group B at x=1.65..1.95. In the first round face 8 (x=0.68) sees only
  // A's faces within 0.6 and is voted into A, and faces 9-11 (x=1.2..1.24) are voted into B;
  // then face 8 has 2 of A and 3 of B near it and leaves A.
  const xs = [0, 0.05, 0.1, 0.2, 1.65, 1.75, 1.85, 1.95, 0.68, 1.2, 1.22, 1.24];
  const points = plane(xs.map((x) => [x, 0]));
  const photo = Int32Array.from(xs.keys());
  const options = { distance: 0.3, minFaces: 4, attachDistance: 0.6 };
  const result = densityCluster(points, photo, options);
  assert.equal(result.groups.length, 2);
  assert.equal(result.group[8], -1);
  for (const i of [9, 10, 11]) assert.equal(result.group[i], result.group[4], `face ${i}`);
  // Without faces 9-11, face 8 stays in A.
  const alone = densityCluster(
    plane(xs.slice(0, 9).map((x) => [x, 0])),
    photo.slice(0, 9),
    options,
  );
  assert.equal(alone.group[8], alone.group[0]);
});
