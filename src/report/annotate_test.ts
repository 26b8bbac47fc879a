import assert from "node:assert/strict";
import { decodeImage } from "../image/mod.ts";
import { annotatedName, annotateFaces, KNOWN_COLOR, UNKNOWN_COLOR } from "./annotate.ts";
import { getPixel } from "./canvas.ts";
import { encodeJpeg } from "./encode.ts";

function near(a: readonly number[], b: readonly number[], tolerance: number): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= tolerance);
}

Deno.test("annotateFaces boxes known and unknown faces in their colours, without touching the input", () => {
  const image = { width: 200, height: 120, data: new Uint8Array(200 * 120 * 3).fill(90) };
  const out = annotateFaces(image, [
    { box: { x: 20, y: 40, width: 50, height: 60 }, name: "Messi", probability: 0.97 },
    { box: { x: 120, y: 40, width: 50, height: 60 }, name: "unknown", probability: 0.3 },
  ], { thickness: 3 });
  assert.deepEqual(getPixel(out, 18, 70), KNOWN_COLOR);
  assert.deepEqual(getPixel(out, 170, 70), UNKNOWN_COLOR);
  assert.deepEqual(getPixel(out, 45, 70), [90, 90, 90], "inside the box");
  assert.ok(image.data.every((v) => v === 90), "the input is unchanged");
  // The label sits above each box, on its colour.
  let labelPixels = 0;
  for (let y = 0; y < 37; y++) {
    for (let x = 17; x < 70; x++) {
      if (getPixel(out, x, y).join() === KNOWN_COLOR.join()) labelPixels++;
    }
  }
  assert.ok(labelPixels > 100, `label background pixels: ${labelPixels}`);
});

Deno.test("an annotated photo survives JPEG encoding with its box where the face is", async () => {
  const w = 160, h = 120;
  const image = { width: w, height: h, data: new Uint8Array(w * h * 3) };
  for (let i = 0; i < w * h; i++) image.data.set([60 + (i % w) / 4, 80, 100], i * 3);
  const box = { x: 50, y: 40, width: 40, height: 50 };
  const jpeg = await encodeJpeg(annotateFaces(image, [{ box, name: "Ada" }], { thickness: 4 }), 90);
  const back = await decodeImage(jpeg);
  assert.deepEqual([back.width, back.height], [w, h]);
  for (const [x, y] of [[47, 65], [92, 65], [70, 92]]) {
    assert.ok(
      near(getPixel(back, x, y), KNOWN_COLOR, 40),
      `box edge at ${x},${y}: ${getPixel(back, x, y)}`,
    );
  }
  assert.ok(!near(getPixel(back, 70, 65), KNOWN_COLOR, 40), "the face is not painted over");
});

Deno.test("annotatedName gives every input its own .jpg", () => {
  const taken = new Set<string>();
  assert.equal(annotatedName("a/x.png", taken), "x.jpg");
  assert.equal(annotatedName("b/X.jpeg", taken), "X-2.jpg");
  assert.equal(annotatedName("c/x.webp", taken), "x-3.jpg");
  assert.equal(annotatedName("party", taken), "party.jpg");
});
