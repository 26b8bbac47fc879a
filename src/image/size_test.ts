import assert from "node:assert/strict";
import { readImageSize } from "./size.ts";
import { ascii, concat, pngBytes, tiffBytes } from "./test_fixtures.ts";

function u16be(v: number): number[] {
  return [v >> 8, v & 0xff];
}

function le(v: number, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, k) => v >>> (8 * k) & 0xff);
}

Deno.test("readImageSize reads JPEG SOF after other segments, baseline and progressive", () => {
  for (const sof of [0xc0, 0xc2]) {
    const jpeg = concat(
      [0xff, 0xd8],
      [0xff, 0xe0, 0x00, 0x06, 1, 2, 3, 4], // APP0
      [0xff, 0xc4, 0x00, 0x04, 0, 0], // DHT, which sits inside the SOF marker range
      [0xff, sof, 0x00, 0x0b, 8, ...u16be(2907), ...u16be(4035), 1, 1, 0x11, 0],
      [0xff, 0xda],
    );
    assert.deepEqual(readImageSize(jpeg), { width: 4035, height: 2907 });
  }
});

Deno.test("readImageSize reads PNG, GIF, WebP, BMP, PNM and TIFF headers", async () => {
  const png = await pngBytes({
    width: 1,
    height: 1,
    colorType: 0,
    bitDepth: 8,
    rows: Uint8Array.of(0),
    headerSize: [50_000, 40_000],
  });
  assert.deepEqual(readImageSize(png), { width: 50_000, height: 40_000 });
  assert.deepEqual(readImageSize(concat(ascii("GIF89a"), [0x2c, 0x01, 0xc8, 0x00])), {
    width: 300,
    height: 200,
  });
  const vp8 = concat(
    ascii("RIFF\0\0\0\0WEBPVP8 "),
    [10, 0, 0, 0],
    [0, 0, 0, 0x9d, 0x01, 0x2a, 0xb0, 0x04, 0x76, 0x02],
  );
  assert.deepEqual(readImageSize(vp8), { width: 1200, height: 630 });
  // VP8L: 14 bits width-1 then 14 bits height-1, little-endian after the 0x2f signature.
  const vp8lBits = le(99 | 49 << 14, 4);
  const vp8l = concat(ascii("RIFF\0\0\0\0WEBPVP8L"), le(5, 4), [0x2f], vp8lBits, [0]);
  assert.deepEqual(readImageSize(vp8l), { width: 100, height: 50 });
  // VP8X: flags and reserved bytes, then 24-bit canvas width-1 and height-1.
  const vp8xSize = [...le(999_999, 3), ...le(31, 3)];
  const vp8x = concat(ascii("RIFF\0\0\0\0WEBPVP8X"), le(10, 4), [0, 0, 0, 0], vp8xSize);
  assert.deepEqual(readImageSize(vp8x), { width: 1_000_000, height: 32 });
  // BMP: a negative height means rows stored top-down; the size is its absolute value.
  const bmpSize = [...le(16, 4), ...le(-16, 4)];
  const bmp = concat(ascii("BM"), new Array(12).fill(0), le(40, 4), bmpSize, new Array(16).fill(0));
  assert.deepEqual(readImageSize(bmp), { width: 16, height: 16 });
  assert.deepEqual(readImageSize(ascii("P5\n# c\n640 480\n255\n")), { width: 640, height: 480 });
  const tiff = tiffBytes({
    littleEndian: false,
    width: 70_000,
    height: 3,
    bitsPerSample: [8],
    photometric: 1,
    chunks: [new Uint8Array(0)],
  });
  assert.deepEqual(readImageSize(tiff), { width: 70_000, height: 3 });
});

Deno.test("readImageSize returns undefined for cut or unknown headers", () => {
  assert.equal(readImageSize(new Uint8Array(0)), undefined);
  assert.equal(readImageSize(ascii("hello world")), undefined);
  assert.equal(readImageSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 1])), undefined);
  assert.equal(readImageSize(ascii("GIF89a\x01")), undefined);
  assert.equal(readImageSize(ascii("P6 12")), undefined);
});
