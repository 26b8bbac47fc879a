import assert from "node:assert/strict";
import { crossSplitCopies, findExactDuplicates, type HashedFile } from "./exact_duplicates.ts";

const f = (path: string, split: string, label: string, sha256: string): HashedFile => ({
  path,
  split,
  label,
  sha256,
});

Deno.test("findExactDuplicates groups equal hashes and notes splits and labels", () => {
  const groups = findExactDuplicates([
    f("t/A/1.jpg", "train", "A", "h1"),
    f("t/A/2.jpg", "train", "A", "h2"),
    f("t/A/1b.jpg", "train", "A", "h1"),
    f("v/A/1.jpg", "val", "A", "h1"),
    f("t/B/3.jpg", "train", "B", "h3"),
    f("v/C/3.jpg", "val", "C", "h3"),
    f("t/A/x.jpg", "train", "A", ""),
    f("t/A/y.jpg", "train", "A", ""),
  ]);
  assert.equal(groups.length, 2, "unique files and unreadable (unhashed) files make no group");
  assert.deepEqual(groups[0].files.map((x) => x.path), ["t/A/1.jpg", "t/A/1b.jpg", "v/A/1.jpg"]);
  assert.deepEqual(groups[0].splits, ["train", "val"]);
  assert.deepEqual(groups[1].labels, ["B", "C"], "one photo in two people's folders");
});

Deno.test("crossSplitCopies charges each copy to the later split", () => {
  const groups = findExactDuplicates([
    f("v/A/1.jpg", "val", "A", "h1"),
    f("t/A/1.jpg", "train", "A", "h1"),
    f("t/A/1b.jpg", "train", "A", "h1"),
    f("t/A/2.jpg", "train", "A", "h2"),
    f("t/A/2b.jpg", "train", "A", "h2"),
  ]);
  const copies = crossSplitCopies(groups, ["train", "val"]);
  assert.deepEqual(copies.map((c) => [c.file.path, c.copyOf.path]), [["v/A/1.jpg", "t/A/1.jpg"]]);
});
