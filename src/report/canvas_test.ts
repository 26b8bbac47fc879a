import assert from "node:assert/strict";
import { cropImage, drawLabel, fillRect, getPixel, resizeImage, strokeRect } from "./canvas.ts";
import { glyph, rasterizeText, textWidth } from "./font.ts";

function grey(width: number, height: number, v = 100) {
  return { width, height, data: new Uint8Array(width * height * 3).fill(v) };
}

Deno.test("strokeRect draws just outside the box and leaves the inside alone", () => {
  const img = grey(40, 40);
  strokeRect(img, { x: 10, y: 10, width: 20, height: 20 }, [255, 0, 0], 2);
  for (const [x, y] of [[8, 8], [9, 20], [30, 20], [31, 31], [20, 8], [20, 31]]) {
    assert.deepEqual(getPixel(img, x, y), [255, 0, 0], `edge pixel ${x},${y}`);
  }
  for (const [x, y] of [[10, 10], [29, 29], [20, 20], [7, 20], [32, 20]]) {
    assert.deepEqual(getPixel(img, x, y), [100, 100, 100], `pixel ${x},${y}`);
  }
});

Deno.test("drawing is clipped to the image", () => {
  const img = grey(10, 10);
  strokeRect(img, { x: -5, y: -5, width: 30, height: 30 }, [0, 0, 255], 3);
  fillRect(img, { x: 8, y: 8, width: 10, height: 10 }, [0, 255, 0]);
  assert.deepEqual(getPixel(img, 9, 9), [0, 255, 0]);
  assert.equal(img.data.length, 300);
});

Deno.test("resizeImage averages the area each output pixel covers", () => {
  const img = {
    width: 2,
    height: 2,
    data: Uint8Array.from([0, 0, 0, 100, 100, 100, 200, 200, 200, 100, 100, 100]),
  };
  assert.deepEqual([...resizeImage(img, 1, 1).data], [100, 100, 100]);
  const up = resizeImage(img, 4, 4);
  assert.deepEqual([up.width, up.height], [4, 4]);
  assert.deepEqual(getPixel(up, 0, 0), [0, 0, 0]);
  assert.deepEqual(getPixel(up, 3, 0), [100, 100, 100]);
  assert.throws(() => resizeImage(img, 0, 3), RangeError);
});

Deno.test("cropImage cuts and clips", () => {
  const img = grey(10, 6);
  fillRect(img, { x: 4, y: 2, width: 1, height: 1 }, [9, 9, 9]);
  const c = cropImage(img, { x: 3, y: 1, width: 100, height: 2 });
  assert.deepEqual([c.width, c.height], [7, 2]);
  assert.deepEqual(getPixel(c, 1, 1), [9, 9, 9]);
});

Deno.test("the bitmap font inks distinct glyphs and strips accents", () => {
  assert.deepEqual(glyph("é"), glyph("e"));
  assert.notDeepEqual(glyph("e"), glyph("o"));
  assert.deepEqual(glyph("½"), glyph("\u0001"), "unknown characters share the hollow box");
  let ink = 0;
  rasterizeText("I", () => ink++);
  assert.equal(ink, 3 + 5 + 3, "serifed I: 3 top, 5 stem, 3 bottom");
  let scaled = 0;
  rasterizeText("I", () => scaled++, { scale: 2 });
  assert.equal(scaled, ink * 4);
  assert.equal(textWidth("Messi"), 29);
});

Deno.test("drawLabel fills a background and writes text, moved inside the image", () => {
  const img = grey(80, 30, 0);
  const box = drawLabel(img, "Ada", {
    x: 70,
    y: 5,
    background: [0, 0, 200],
    color: [255, 255, 255],
  });
  assert.ok(box.x + box.width <= 80 && box.y === 0, JSON.stringify(box));
  const px = [];
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) px.push(getPixel(img, x, y).join());
  }
  assert.ok(px.includes("255,255,255") && px.includes("0,0,200"));
});
