import assert from "node:assert/strict";
import { join } from "node:path";
import { faceMarkerOf } from "../dataset/face_marker.ts";
import { type ClusterFace, type Clustering, groupFaces } from "./library.ts";
import { carryNames } from "./naming.ts";
import { CLUSTERS_JSON, readPreviousLayout, UNSORTED_FOLDER, writeLayout } from "./layout.ts";
import { syntheticFaces } from "./test_fixtures.ts";

/**
 * A library of real (tiny) files: three people of 6, 5 and 4 faces and two strays. Photo
 * "group.jpg" holds two faces: one of person 0 and one of person 1.
 */
async function library(root: string): Promise<Clustering> {
  const { points, identity } = syntheticFaces({
    sizes: [6, 5, 4],
    strays: 2,
    dim: 16,
    spread: 0.1,
    seed: 11,
  });
  const faces: ClusterFace[] = [];
  const photo: number[] = [];
  const box = { x: 10, y: 20, width: 30, height: 30 };
  identity.forEach((p, i) => {
    // Faces 0 (person 0) and 6 (person 1) share the photo "group.jpg".
    const shared = i === 0 || i === 6;
    const name = shared ? "group.jpg" : `p${p}/img_${i}.jpg`;
    faces.push({
      file: join(root, name),
      name,
      face: i === 6 ? 1 : 0,
      faces: shared ? 2 : 1,
      box: i === 6 ? { ...box, x: 200 } : box,
    });
    photo.push(shared ? 1000 : i);
  });
  for (const f of faces) {
    await Deno.mkdir(join(f.file, ".."), { recursive: true });
    await Deno.writeTextFile(f.file, `photo ${f.name}`);
  }
  const grouped = groupFaces(points, Int32Array.from(photo), faces, { distance: 0.5 });
  return { library: root, photos: 16, noFace: [], failed: [], ...grouped };
}

Deno.test("layout: one folder per group, links to the originals, the face's box for a shared photo", async () => {
  const root = await Deno.makeTempDir();
  const c = await library(join(root, "lib"));
  const out = join(root, "out");
  await writeLayout(out, c, { json: "{}" });
  const list = (d: string) => [...Deno.readDirSync(join(out, d))].map((e) => e.name).sort();
  assert.deepEqual(
    list("."),
    [CLUSTERS_JSON, UNSORTED_FOLDER, "person_001", "person_002", "person_003"].sort(),
  );
  assert.equal(list("person_001").length, 6);
  assert.equal(list(UNSORTED_FOLDER).length, 2);
  const shared = list("person_001").find((n) => n.startsWith("group"));
  assert.ok(shared, "the shared photo's person-0 face is in person_001");
  assert.deepEqual(faceMarkerOf(shared), { x: 10, y: 20, width: 30, height: 30 });
  const other = list("person_002").find((n) => n.startsWith("group"));
  assert.deepEqual(faceMarkerOf(other!), { x: 200, y: 20, width: 30, height: 30 });
  // Links, not copies: the originals are untouched and read through the link.
  const entry = join(out, "person_003", list("person_003")[0]);
  assert.ok(Deno.lstatSync(entry).isSymlink);
  assert.match(await Deno.readTextFile(entry), /^photo p2\//);
  await Deno.remove(root, { recursive: true });
});

Deno.test("names carry over: a renamed folder's group keeps its name on the next run", async () => {
  const root = await Deno.makeTempDir();
  const out = join(root, "out");
  const first = await library(join(root, "lib"));
  await writeLayout(out, first, { json: "{}" });
  await Deno.rename(join(out, "person_002"), join(out, "Grandma"));
  await Deno.rename(join(out, "person_001"), join(out, "Tom"));
  // The person also moves one of Tom's faces into _unsorted: still a majority.
  const tom = [...Deno.readDirSync(join(out, "Tom"))].map((e) => e.name).sort();
  await Deno.rename(join(out, "Tom", tom[1]), join(out, UNSORTED_FOLDER, tom[1]));

  const previous = await readPreviousLayout(out);
  assert.deepEqual(previous!.map((p) => p.name), ["Grandma", "Tom", UNSORTED_FOLDER, "person_003"]);
  const second = await library(join(root, "lib"));
  carryNames(second, previous!);
  assert.deepEqual(second.groups.map((g) => [g.name, g.source]), [
    ["Tom", "carried"],
    ["Grandma", "carried"],
    ["person_003", "number"],
  ]);
  await writeLayout(out, second, { json: "{}" });
  assert.ok(Deno.statSync(join(out, "Grandma")).isDirectory);
  assert.throws(() => Deno.statSync(join(out, "person_002")), Deno.errors.NotFound);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a name goes to one group only, and needs a majority of shared faces", async () => {
  const root = await Deno.makeTempDir();
  const c = await library(join(root, "lib"));
  const keysOf = (g: number, take: number) =>
    new Set(
      c.groups[g].faces.slice(0, take).map((i) =>
        `${c.faces[i].file}#${c.faces[i].faces > 1 ? "10-20-30-30" : ""}`
      ),
    );
  // "Ann" holds all of group 0 and 1 face of group 1; "Bob" 1 of group 2's 4 faces, and 3
  // faces this run does not group: a majority of neither.
  const ann = keysOf(0, 6);
  for (const k of keysOf(1, 1)) ann.add(k);
  const bob = new Set([
    ...keysOf(2, 1),
    "/elsewhere/a.jpg#",
    "/elsewhere/b.jpg#",
    "/elsewhere/c.jpg#",
  ]);
  carryNames(c, [{ name: "Ann", keys: ann }, { name: "Bob", keys: bob }]);
  assert.deepEqual(c.groups.map((g) => g.name), ["Ann", "person_002", "person_003"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a folder that cluster did not write is refused, and left alone", async () => {
  const root = await Deno.makeTempDir();
  const c = await library(join(root, "lib"));
  const out = join(root, "mine");
  await Deno.mkdir(out);
  await Deno.writeTextFile(join(out, "notes.txt"), "mine");
  await assert.rejects(writeLayout(out, c, { json: "{}" }), /not written by "facefit cluster"/);
  assert.equal(await Deno.readTextFile(join(out, "notes.txt")), "mine");
  await Deno.remove(root, { recursive: true });
});
