import assert from "node:assert/strict";
import { lzwEncode, packBits, tiffBytes, zlib } from "./test_fixtures.ts";
import { decodeTiff, lzwDecode } from "./tiff.ts";

/** A 3x2 RGB test pattern: red, green, blue / black, grey, white. */
const RGB = Uint8Array.from([
  255,
  0,
  0,
  0,
  255,
  0,
  0,
  0,
  255,
  0,
  0,
  0,
  128,
  128,
  128,
  255,
  255,
  255,
]);

Deno.test("decodeTiff reads uncompressed RGB in both byte orders and in several strips", async () => {
  for (const littleEndian of [true, false]) {
    const oneStrip = tiffBytes({
      littleEndian,
      width: 3,
      height: 2,
      bitsPerSample: [8, 8, 8],
      photometric: 2,
      chunks: [RGB],
    });
    const image = await decodeTiff(oneStrip);
    assert.deepEqual([image.width, image.height], [3, 2]);
    assert.deepEqual([...image.data], [...RGB], `littleEndian ${littleEndian}`);
  }
  const twoStrips = tiffBytes({
    littleEndian: true,
    width: 3,
    height: 2,
    bitsPerSample: [8, 8, 8],
    photometric: 2,
    rowsPerStrip: 1,
    chunks: [RGB.subarray(0, 9), RGB.subarray(9)],
  });
  assert.deepEqual([...(await decodeTiff(twoStrips)).data], [...RGB]);
});

Deno.test("decodeTiff undoes LZW, Deflate and PackBits with the horizontal predictor", async () => {
  // Horizontal differencing, per sample, within each row.
  const diff = RGB.slice();
  for (let y = 0; y < 2; y++) {
    for (let i = 8; i >= 3; i--) diff[y * 9 + i] = (RGB[y * 9 + i] - RGB[y * 9 + i - 3]) & 0xff;
  }
  const encodings: [number, Uint8Array][] = [
    [5, lzwEncode(diff)],
    [8, await zlib(diff)],
    [32773, packBits(diff)],
  ];
  for (const [compression, chunk] of encodings) {
    const bytes = tiffBytes({
      littleEndian: false,
      width: 3,
      height: 2,
      bitsPerSample: [8, 8, 8],
      photometric: 2,
      compression,
      predictor: 2,
      chunks: [chunk],
    });
    assert.deepEqual([...(await decodeTiff(bytes)).data], [...RGB], `compression ${compression}`);
  }
});

Deno.test("decodeTiff reads 16-bit grey, WhiteIsZero and 4-bit palette images", async () => {
  const grey16 = tiffBytes({
    littleEndian: true,
    width: 2,
    height: 1,
    bitsPerSample: [16],
    photometric: 1,
    chunks: [Uint8Array.from([0xff, 0xff, 0x00, 0x80])], // 65535, 32768 little-endian
  });
  assert.deepEqual([...(await decodeTiff(grey16)).data], [255, 255, 255, 128, 128, 128]);
  const whiteIsZero = tiffBytes({
    littleEndian: true,
    width: 2,
    height: 1,
    bitsPerSample: [8],
    photometric: 0,
    chunks: [Uint8Array.from([0, 255])],
  });
  assert.deepEqual([...(await decodeTiff(whiteIsZero)).data], [255, 255, 255, 0, 0, 0]);
  // 16 entries per channel, 16-bit; entry 1 is orange (255, 128, 0).
  const colorMap = new Array(48).fill(0);
  colorMap[1] = 0xffff;
  colorMap[16 + 1] = 0x8000;
  const palette = tiffBytes({
    littleEndian: false,
    width: 3,
    height: 1,
    bitsPerSample: [4],
    photometric: 3,
    colorMap,
    chunks: [Uint8Array.from([0x10, 0x10])], // indices 1, 0, 1 (+ padding)
  });
  assert.deepEqual([...(await decodeTiff(palette)).data], [255, 128, 0, 0, 0, 0, 255, 128, 0]);
});

Deno.test("decodeTiff reads tiles and composites unassociated alpha over white", async () => {
  // 3x1 RGBA in 2x2 tiles: two tiles, the right one mostly padding.
  const tileA = Uint8Array.from([255, 0, 0, 255, 0, 0, 255, 0, ...new Array(8).fill(9)]);
  const tileB = Uint8Array.from([0, 255, 0, 128, ...new Array(12).fill(9)]);
  const bytes = tiffBytes({
    littleEndian: true,
    width: 3,
    height: 1,
    bitsPerSample: [8, 8, 8, 8],
    photometric: 2,
    extraSamples: [2],
    tile: [2, 2],
    chunks: [tileA, tileB],
  });
  const image = await decodeTiff(bytes);
  assert.deepEqual([image.width, image.height], [3, 1]);
  assert.deepEqual([...image.data], [255, 0, 0, 255, 255, 255, 127, 255, 127]);
});

Deno.test("decodeTiff refuses JPEG compression and truncated strips", async () => {
  const spec = {
    littleEndian: true,
    width: 3,
    height: 2,
    bitsPerSample: [8, 8, 8],
    photometric: 2,
    chunks: [RGB],
  };
  await assert.rejects(
    decodeTiff(tiffBytes({ ...spec, compression: 7 })),
    /TIFF JPEG is not supported; convert the file to PNG or JPEG/,
  );
  const truncated = tiffBytes({ ...spec, compression: 5, chunks: [lzwEncode(RGB).subarray(0, 4)] });
  await assert.rejects(decodeTiff(truncated), /TIFF data is truncated or corrupt/);
});

Deno.test("lzwDecode handles code widening and table resets", () => {
  const data = new Uint8Array(200_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 7)) % 253;
  assert.deepEqual(lzwDecode(lzwEncode(data), data.length), data);
});
