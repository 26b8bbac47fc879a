import assert from "node:assert/strict";
import type { Orientation } from "./exif.ts";
import { applyOrientation } from "./orient.ts";
import type { RgbImage } from "./types.ts";

// A 3x2 image whose pixels are the letters a..f (R = letter code, G = B = 0):
//   a b c
//   d e f
const source: RgbImage = {
  width: 3,
  height: 2,
  data: Uint8Array.from([..."abcdef"].flatMap((c) => [c.charCodeAt(0), 0, 0])),
};

function letters(image: RgbImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = "";
    for (let x = 0; x < image.width; x++) {
      row += String.fromCharCode(image.data[(y * image.width + x) * 3]);
    }
    rows.push(row);
  }
  return rows;
}

Deno.test("applyOrientation turns each EXIF orientation upright", () => {
  // What a viewer shows for each orientation of the stored a..f image (EXIF 2.3, tag 0x0112).
  const expected: Record<Orientation, string[]> = {
    1: ["abc", "def"],
    2: ["cba", "fed"], // mirrored horizontally
    3: ["fed", "cba"], // rotated 180
    4: ["def", "abc"], // mirrored vertically
    5: ["ad", "be", "cf"], // transposed
    6: ["da", "eb", "fc"], // rotated 90 clockwise
    7: ["fc", "eb", "da"], // transversed
    8: ["cf", "be", "ad"], // rotated 90 counter-clockwise
  };
  for (const [orientation, rows] of Object.entries(expected)) {
    const out = applyOrientation(source, Number(orientation) as Orientation);
    assert.deepEqual(letters(out), rows, `orientation ${orientation}`);
    assert.equal(out.data.length, out.width * out.height * 3);
  }
});

Deno.test("applyOrientation keeps all three channels together", () => {
  const image = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
  assert.deepEqual([...applyOrientation(image, 6).data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...applyOrientation(image, 8).data], [4, 5, 6, 1, 2, 3]);
  assert.equal(applyOrientation(image, 1), image);
});
