import assert from "node:assert/strict";
import { seededRandom } from "../dataset/random.ts";
import { normalize } from "../head/vectors.ts";
import { findMislabels, type LabelledFaces } from "./mislabels.ts";

const DIM = 32;
const random = seededRandom(5);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
// Faces share much (all are faces): people's centres are about 0.65 apart, as in real embeddings.
const common = Array.from({ length: DIM }, gauss);
const centres: Record<string, number[]> = {};
for (const p of ["Ann", "Bob", "Cy"]) centres[p] = common.map((v) => v + 0.5 * gauss());

/** A face of `person`: their centre plus noise, unit length. */
function face(person: string, noise = 0.3): Float32Array {
  return normalize(centres[person].map((v) => v + noise * gauss()));
}

function photo(path: string, label: string, faces: Float32Array[]): LabelledFaces {
  return {
    path,
    split: "train",
    label,
    sha256: path,
    embeddings: faces,
    areas: faces.map(() => 100),
  };
}

function collection(): LabelledFaces[] {
  const photos: LabelledFaces[] = [];
  for (const p of ["Ann", "Bob", "Cy"]) {
    for (let i = 0; i < 12; i++) photos.push(photo(`${p}/${i}.jpg`, p, [face(p)]));
  }
  return photos;
}

Deno.test("findMislabels flags Bob's face filed under Ann, and nothing in a clean collection", () => {
  const clean = collection();
  assert.deepEqual(findMislabels(clean).candidates.filter((c) => c.level === "suspected"), []);
  const dirty = [...clean, photo("Ann/wrong.jpg", "Ann", [face("Bob")])];
  const { candidates, choices } = findMislabels(dirty);
  const suspected = candidates.filter((c) => c.level === "suspected");
  assert.deepEqual(suspected.map((c) => [c.file.path, c.kind, c.nearest.label]), [[
    "Ann/wrong.jpg",
    "chosen",
    "Bob",
  ]]);
  assert.ok(suspected[0].votes >= 5);
  assert.ok(suspected[0].ownDistance > suspected[0].nearest.distance);
  assert.equal(choices.length, dirty.length);
});

Deno.test("findMislabels flags a group photo in which only another person is visible", () => {
  const photos = [...collection(), photo("Cy/team.jpg", "Cy", [face("Ann"), face("Bob")])];
  const { candidates, choices } = findMislabels(photos, { maxDistance: 0.5 });
  assert.equal(choices.at(-1)!.index, -1, "neither face is near Cy");
  const found = candidates.find((c) => c.file.path === "Cy/team.jpg");
  assert.ok(found);
  assert.equal(found.kind, "unmatched");
  assert.ok(["Ann", "Bob"].includes(found.nearest.label));
});

Deno.test("exact copies count once: a duplicated wrong photo cannot make itself look right", () => {
  const wrong = face("Bob");
  const photos = [
    ...collection(),
    ...Array.from(
      { length: 6 },
      (_, i) => ({ ...photo(`Ann/wrong-${i}.jpg`, "Ann", [wrong]), sha256: "same" }),
    ),
  ];
  const suspected = findMislabels(photos).candidates.filter((c) => c.level === "suspected");
  assert.equal(suspected.length, 6, "every copy is flagged");
});
