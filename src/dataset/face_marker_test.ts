import assert from "node:assert/strict";
import { join } from "node:path";
import { faceMarkerOf, markedFace, markFace } from "./face_marker.ts";
import { scanLibrary } from "./scan.ts";

Deno.test("face marker: written before the extension, read back, absent from plain names", () => {
  const box = { x: 120, y: 40, width: 61, height: 60 };
  assert.equal(markFace("Train__Messi__Jong-45", box), "Train__Messi__Jong-45.face-120-40-61-60");
  assert.deepEqual(faceMarkerOf("a/b/x.face-120-40-61-60.webp"), box);
  assert.deepEqual(faceMarkerOf("x.face-120-40-61-60"), box);
  assert.equal(faceMarkerOf("x.face-1-2-3.jpg"), undefined);
  assert.equal(faceMarkerOf("photo.jpg"), undefined);
});

Deno.test("marked face: the box overlapping the marker most, if by half", () => {
  const boxes = [
    { x: 0, y: 0, width: 50, height: 50 },
    { x: 200, y: 10, width: 60, height: 60 },
  ];
  assert.equal(markedFace(boxes, { x: 202, y: 12, width: 58, height: 60 }), 1);
  assert.equal(markedFace(boxes, { x: 100, y: 100, width: 50, height: 50 }), -1);
});

Deno.test("scanLibrary: every photo in sub-folders, sorted, hidden and excluded folders left out", async () => {
  const root = await Deno.makeTempDir();
  for (
    const f of ["b/2.jpg", "a/1.jpg", "a/deep/3.png", ".hidden/4.jpg", "out/5.jpg", "notes.txt"]
  ) {
    await Deno.mkdir(join(root, f, ".."), { recursive: true });
    await Deno.writeFile(join(root, f), new Uint8Array(4));
  }
  const library = await scanLibrary(root, [join(root, "out")]);
  assert.deepEqual(library.files.map((f) => f.name), ["a/1.jpg", "a/deep/3.png", "b/2.jpg"]);
  await Deno.remove(root, { recursive: true });
});
