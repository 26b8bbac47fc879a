import assert from "node:assert/strict";
import { orientationFromTiff, readOrientation } from "./exif.ts";
import {
  ascii,
  concat,
  exifOrientationBlock,
  jpegWithExif,
  pngBytes,
  webpWithExif,
} from "./test_fixtures.ts";

const bareJpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x04, 0x00, 0x00, 0xff, 0xd9]);

Deno.test("readOrientation reads JPEG APP1 in both byte orders", () => {
  for (const littleEndian of [true, false]) {
    for (let o = 1; o <= 8; o++) {
      const jpeg = jpegWithExif(bareJpeg, exifOrientationBlock(o, littleEndian));
      assert.equal(readOrientation(jpeg, "jpeg"), o, `orientation ${o}, le ${littleEndian}`);
    }
  }
});

Deno.test("readOrientation finds EXIF after other APPn segments", () => {
  const app0 = concat([0xff, 0xe0, 0x00, 0x10], ascii("JFIF\0"), new Array(9).fill(0));
  const withExif = jpegWithExif(bareJpeg, exifOrientationBlock(6, false));
  const jpeg = concat(withExif.subarray(0, 2), app0, withExif.subarray(2));
  assert.equal(readOrientation(jpeg, "jpeg"), 6);
});

Deno.test("readOrientation defaults to 1 for missing, invalid or cut EXIF", () => {
  assert.equal(readOrientation(bareJpeg, "jpeg"), 1);
  assert.equal(readOrientation(jpegWithExif(bareJpeg, exifOrientationBlock(9, true)), "jpeg"), 1);
  assert.equal(readOrientation(jpegWithExif(bareJpeg, exifOrientationBlock(0, true)), "jpeg"), 1);
  const cut = jpegWithExif(bareJpeg, exifOrientationBlock(6, true)).subarray(0, 20);
  assert.equal(readOrientation(cut, "jpeg"), 1);
  assert.equal(orientationFromTiff(ascii("II*\0\xff\xff\xff\x7f")), 1); // IFD offset past the end
  assert.equal(orientationFromTiff(ascii("garbage!")), 1);
});

Deno.test("readOrientation reads PNG eXIf and WebP EXIF chunks", async () => {
  const png = await pngBytes({
    width: 1,
    height: 1,
    colorType: 0,
    bitDepth: 8,
    rows: Uint8Array.of(7),
    exif: exifOrientationBlock(8, true),
  });
  assert.equal(readOrientation(png, "png"), 8);
  const vp8l = concat(ascii("RIFF"), [12, 0, 0, 0], ascii("WEBPVP8L"), [0, 0, 0, 0]);
  const webp = webpWithExif(vp8l, 1, 1, concat(ascii("Exif\0\0"), exifOrientationBlock(3, false)));
  assert.equal(readOrientation(webp, "webp"), 3);
});
