import assert from "node:assert/strict";
import { decodeBmp } from "./bmp.ts";
import { ascii, concat } from "./test_fixtures.ts";

function le(v: number, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, k) => v >>> (8 * k) & 0xff);
}

/** A BMP with a 40-byte info header (or a V5 header with masks) and the given rows as stored. */
function bmp(
  width: number,
  height: number,
  bpp: number,
  pixelData: number[],
  options: { palette?: number[]; compression?: number; masks?: number[] } = {},
): Uint8Array {
  const palette = options.palette ?? [];
  const headerSize = options.masks ? 124 : 40;
  const header = [
    ...le(headerSize, 4),
    ...le(width, 4),
    ...le(height, 4),
    ...le(1, 2),
    ...le(bpp, 2),
    ...le(options.compression ?? 0, 4),
    ...le(pixelData.length, 4),
    ...le(2835, 4),
    ...le(2835, 4),
    ...le(palette.length / 4, 4),
    ...le(0, 4),
  ];
  if (options.masks) {
    header.push(...options.masks.flatMap((m) => le(m, 4)));
    while (header.length < headerSize) header.push(0);
  }
  const offset = 14 + header.length + palette.length;
  return concat(
    ascii("BM"),
    le(offset + pixelData.length, 4),
    [0, 0, 0, 0],
    le(offset, 4),
    header,
    palette,
    pixelData,
  );
}

Deno.test("decodeBmp reads 24-bit bottom-up rows with padding", () => {
  // 2x2; each row is 6 bytes + 2 padding; the bottom row comes first; pixels are BGR.
  const data = [
    ...[255, 0, 0, 0, 255, 0, 0, 0], // bottom: blue, green
    ...[0, 0, 255, 255, 255, 255, 0, 0], // top: red, white
  ];
  const image = decodeBmp(bmp(2, 2, 24, data));
  assert.deepEqual([image.width, image.height], [2, 2]);
  assert.deepEqual([...image.data], [255, 0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0]);
});

Deno.test("decodeBmp reads top-down 8-bit and 1-bit palette images", () => {
  const palette = [0, 0, 0, 0, 0, 0, 255, 0, 255, 255, 255, 0]; // BGR0: black, red, white
  const eight = decodeBmp(bmp(3, -1, 8, [2, 1, 0, 0], { palette }));
  assert.deepEqual([...eight.data], [255, 255, 255, 255, 0, 0, 0, 0, 0]);
  const one = decodeBmp(bmp(3, -1, 1, [0b10100000, 0, 0, 0], { palette: palette.slice(0, 8) }));
  assert.deepEqual([...one.data], [255, 0, 0, 0, 0, 0, 255, 0, 0]);
});

Deno.test("decodeBmp composites a real alpha channel over white, ignores an all-zero one", () => {
  const masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
  // BGRA: opaque red, transparent black.
  const translucent = decodeBmp(
    bmp(2, 1, 32, [0, 0, 255, 255, 0, 0, 0, 0], { compression: 3, masks }),
  );
  assert.deepEqual([...translucent.data], [255, 0, 0, 255, 255, 255]);
  const zeroAlpha = decodeBmp(
    bmp(2, 1, 32, [0, 0, 255, 0, 0, 255, 0, 0], { compression: 3, masks }),
  );
  assert.deepEqual([...zeroAlpha.data], [255, 0, 0, 0, 255, 0]);
});

Deno.test("decodeBmp refuses RLE and truncated files", () => {
  assert.throws(() => decodeBmp(bmp(2, 2, 8, [0, 0], { compression: 1 })), /RLE8-compressed BMP/);
  assert.throws(() => decodeBmp(bmp(4, 4, 24, [1, 2, 3])), /BMP pixel data is truncated/);
});
