import assert from "node:assert/strict";
import { Frame, GIF, Image } from "npm:imagescript@1.3.1";
import encodeWebp from "npm:@jsquash/webp@1.5.0/encode.js";
import {
  decodeImage,
  decodeShrunk,
  DEFAULT_MAX_PIXELS,
  ImageDecodeError,
  readImage,
  regionOf,
} from "./mod.ts";
import {
  ascii,
  CMYK_JPEG,
  concat,
  exifOrientationBlock,
  jpegWithExif,
  pngBytes,
  tiffBytes,
  webpWithExif,
} from "./test_fixtures.ts";
import type { RgbImage } from "./types.ts";

const DATASET = new URL("../../../shared/datasets/fcbarcelona/", import.meta.url);
const hasDataset = await Deno.stat(DATASET).then(() => true, () => false);

function pixel(image: RgbImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [...image.data.subarray(i, i + 3)];
}

function assertNear(actual: number[], expected: number[], tolerance: number, what: string) {
  const ok = actual.every((v, k) => Math.abs(v - expected[k]) <= tolerance);
  assert.ok(ok, `${what}: got ${actual}, expected ${expected} ± ${tolerance}`);
}

/** A 16x8 JPEG: the left 8x8 block red, the right one blue (whole blocks survive compression). */
async function redBlueJpeg(): Promise<Uint8Array> {
  const image = new Image(16, 8);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 16; x++) {
      image.bitmap.set(x < 8 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * 16 + x) * 4);
    }
  }
  return await image.encodeJPEG(95);
}

Deno.test("decodeImage decodes a JPEG to RGB", async () => {
  const image = await decodeImage(await redBlueJpeg());
  assert.deepEqual([image.width, image.height, image.data.length], [16, 8, 16 * 8 * 3]);
  assertNear(pixel(image, 3, 4), [255, 0, 0], 12, "left block");
  assertNear(pixel(image, 12, 4), [0, 0, 255], 12, "right block");
});

Deno.test("decodeImage applies the EXIF orientation of a JPEG", async () => {
  const jpeg = await redBlueJpeg();
  // 6: stored rotated 90 counter-clockwise; upright, red (stored left) is on top.
  const six = await decodeImage(jpegWithExif(jpeg, exifOrientationBlock(6, false)));
  assert.deepEqual([six.width, six.height], [8, 16]);
  assertNear(pixel(six, 4, 3), [255, 0, 0], 12, "orientation 6, top");
  assertNear(pixel(six, 4, 12), [0, 0, 255], 12, "orientation 6, bottom");
  const eight = await decodeImage(jpegWithExif(jpeg, exifOrientationBlock(8, true)));
  assert.deepEqual([eight.width, eight.height], [8, 16]);
  assertNear(pixel(eight, 4, 3), [0, 0, 255], 12, "orientation 8, top");
  const three = await decodeImage(jpegWithExif(jpeg, exifOrientationBlock(3, true)));
  assert.deepEqual([three.width, three.height], [16, 8]);
  assertNear(pixel(three, 3, 4), [0, 0, 255], 12, "orientation 3, left");
});

/** A 64x32 JPEG in four 16-px columns: red, green, blue, white. */
async function stripesJpeg(): Promise<Uint8Array> {
  const colours = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255, 255, 255, 255]];
  const image = new Image(64, 32);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 64; x++) image.bitmap.set(colours[x >> 4], (y * 64 + x) * 4);
  }
  return await image.encodeJPEG(95);
}

Deno.test("decodeShrunk decodes a JPEG at the smallest size the request allows", async () => {
  const jpeg = await stripesJpeg();
  const full = await decodeImage(jpeg);
  for (
    const [request, shrink] of [
      [{ atLeast: 64 }, 1],
      [{ atLeast: 32 }, 2],
      [{ atLeast: 16 }, 4],
      [{ atLeast: 1 }, 8],
      [{ atLeast: 1, maxShrink: 2 }, 2],
      [{ maxShrink: 3 }, 2],
    ] as const
  ) {
    const photo = await decodeShrunk(jpeg, request);
    const what = JSON.stringify(request);
    assert.deepEqual([photo.width, photo.height, photo.shrink], [64, 32, shrink], what);
    assert.deepEqual([photo.pixels.width, photo.pixels.height], [64 / shrink, 32 / shrink], what);
    // Each shrunk pixel shows the colour of the block of full-size pixels it covers.
    for (const x of [4, 20, 36, 52]) {
      assertNear(pixel(photo.pixels, Math.floor(x / shrink), 1), pixel(full, x, 8), 16, what);
    }
  }
});

Deno.test("decodeShrunk gives the upright full size of a rotated JPEG", async () => {
  const rotated = jpegWithExif(await stripesJpeg(), exifOrientationBlock(6, false));
  const photo = await decodeShrunk(rotated, { atLeast: 16 });
  assert.deepEqual([photo.width, photo.height, photo.shrink], [32, 64, 4]);
  assert.deepEqual([photo.pixels.width, photo.pixels.height], [8, 16]);
  // Orientation 6: the stored left (red) column ends up on top.
  assertNear(pixel(photo.pixels, 4, 1), [255, 0, 0], 16, "top");
  assertNear(pixel(photo.pixels, 4, 14), [255, 255, 255], 16, "bottom");
});

Deno.test("decodeShrunk leaves formats that cannot shrink at full size", async () => {
  const rows = new Uint8Array(40 * 20 * 3);
  const png = await pngBytes({ width: 40, height: 20, colorType: 2, bitDepth: 8, rows });
  const photo = await decodeShrunk(png, { atLeast: 1 });
  assert.deepEqual([photo.width, photo.shrink, photo.pixels.width], [40, 1, 40]);
});

Deno.test("regionOf cuts a shrunk photo in full-size coordinates", async () => {
  const photo = await decodeShrunk(await stripesJpeg(), { atLeast: 32 }); // shrink 2
  // The blue column, x 32..48, at 4 photo pixels per output pixel.
  const blue = regionOf(photo, { x: 32, y: 8, width: 16, height: 16 }, 4);
  assert.deepEqual([blue.x, blue.y, blue.width, blue.height, blue.scale], [32, 8, 4, 4, 4]);
  assertNear(pixel(blue, 1, 1), [0, 0, 255], 16, "blue");
  // Asking for finer than the decode gives the decode's own pixels.
  const fine = regionOf(photo, { x: 16, y: 0, width: 8, height: 8 }, 1);
  assert.deepEqual([fine.x, fine.width, fine.scale], [16, 4, 2]);
  assertNear(pixel(fine, 1, 1), [0, 255, 0], 16, "green");
});

Deno.test("decodeImage converts a CMYK JPEG to RGB", async () => {
  const image = await decodeImage(CMYK_JPEG);
  assert.deepEqual([image.width, image.height], [16, 8]);
  assertNear(pixel(image, 2, 4), [255, 0, 0], 10, "left");
  assertNear(pixel(image, 13, 4), [0, 0, 255], 10, "right");
});

Deno.test("decodeImage composites PNG transparency over white", async () => {
  const image = new Image(3, 1);
  image.bitmap.set([255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255, 128]);
  const rgb = await decodeImage(await image.encode());
  assert.deepEqual([...rgb.data], [255, 0, 0, 255, 255, 255, 127, 127, 255]);
});

Deno.test("decodeImage reads 16-bit grey, palette and tRNS PNGs", async () => {
  const grey16 = await pngBytes({
    width: 2,
    height: 1,
    colorType: 0,
    bitDepth: 16,
    rows: Uint8Array.from([0x00, 0x00, 0x80, 0x00]),
  });
  assert.deepEqual([...(await decodeImage(grey16)).data], [0, 0, 0, 128, 128, 128]);
  const palette = await pngBytes({
    width: 3,
    height: 1,
    colorType: 3,
    bitDepth: 2,
    rows: Uint8Array.from([0b01100000]), // indices 1, 2, 0
    palette: [0, 0, 0, 0, 200, 0, 10, 20, 30],
    transparency: [0], // entry 0 fully transparent
  });
  assert.deepEqual([...(await decodeImage(palette)).data], [0, 200, 0, 10, 20, 30, 255, 255, 255]);
});

Deno.test("decodeImage decodes the first frame of a GIF", async () => {
  const first = new Frame(4, 2, 100);
  first.bitmap.set(
    Array.from({ length: 8 }, (_, i) => i % 4 < 2 ? [255, 0, 0, 255] : [0, 0, 255, 255]).flat(),
  );
  const second = new Frame(4, 2, 100);
  second.fill(0x00ff00ff);
  const image = await decodeImage(await new GIF([first, second]).encode());
  assert.deepEqual([image.width, image.height], [4, 2]);
  assertNear(pixel(image, 0, 1), [255, 0, 0], 8, "left");
  assertNear(pixel(image, 3, 0), [0, 0, 255], 8, "right");
});

Deno.test("decodeImage decodes WebP, with alpha and EXIF orientation", async () => {
  const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 0]);
  const webp = new Uint8Array(
    await encodeWebp({ data: rgba, width: 3, height: 1, colorSpace: "srgb" } as ImageData, {
      lossless: 1,
    }),
  );
  const image = await decodeImage(webp);
  assert.deepEqual([image.width, image.height], [3, 1]);
  assert.deepEqual([...image.data], [255, 0, 0, 0, 255, 0, 255, 255, 255]);
  const rotated = await decodeImage(webpWithExif(webp, 3, 1, exifOrientationBlock(6, true)));
  assert.deepEqual([rotated.width, rotated.height], [1, 3]);
  assert.deepEqual([...rotated.data], [255, 0, 0, 0, 255, 0, 255, 255, 255]);
});

Deno.test("decodeImage decodes PNM, BMP and an oriented TIFF", async () => {
  const pgm = await decodeImage(concat(ascii("P5 2 1 255\n"), [0, 200]));
  assert.deepEqual([...pgm.data], [0, 0, 0, 200, 200, 200]);
  const tiff = tiffBytes({
    littleEndian: true,
    width: 2,
    height: 1,
    bitsPerSample: [8, 8, 8],
    photometric: 2,
    orientation: 8,
    chunks: [Uint8Array.from([1, 2, 3, 4, 5, 6])],
  });
  const upright = await decodeImage(tiff);
  assert.deepEqual([upright.width, upright.height, ...upright.data], [1, 2, 4, 5, 6, 1, 2, 3]);
});

Deno.test("decodeImage refuses an image above the pixel budget from its header alone", async () => {
  // The IHDR says 50000x50000 but the file holds one pixel: only the header may be read.
  const huge = await pngBytes({
    width: 1,
    height: 1,
    colorType: 0,
    bitDepth: 8,
    rows: Uint8Array.of(0),
    headerSize: [50_000, 50_000],
  });
  assert.equal(DEFAULT_MAX_PIXELS, 50_000_000);
  await assert.rejects(decodeImage(huge), (e) => {
    assert.ok(e instanceof ImageDecodeError);
    assert.equal(
      e.message,
      "Image is 50000x50000 (2500.0 megapixels), above the limit of 50.0 megapixels; " +
        "raise --max-pixels or downscale the file",
    );
    return true;
  });
  const jpeg = await redBlueJpeg();
  await assert.rejects(decodeImage(jpeg, { maxPixels: 100 }), /16x8 \(0\.0 megapixels\)/);
  assert.equal((await decodeImage(jpeg, { maxPixels: 128 })).width, 16);
  await assert.rejects(decodeImage(jpeg, { maxPixels: 0 }), RangeError);
});

Deno.test("decodeImage turns empty, truncated and unknown data into ImageDecodeError", async () => {
  await assert.rejects(
    decodeImage(new Uint8Array(0)),
    (e) =>
      e instanceof ImageDecodeError &&
      e.message === "Cannot decode image: the file is empty (0 bytes); re-download it or remove it",
  );
  const jpeg = await redBlueJpeg();
  for (const length of [3, 40, jpeg.length >> 1, jpeg.length - 2]) {
    await assert.rejects(
      decodeImage(jpeg.subarray(0, length)),
      (e) => e instanceof ImageDecodeError && /corrupt or truncated JPEG data/.test(e.reason),
      `JPEG cut at ${length} bytes`,
    );
  }
  const png = await new Image(4, 4).encode();
  await assert.rejects(decodeImage(png.subarray(0, 40)), /corrupt or truncated PNG data/);
  const animated = concat(ascii("RIFF\x12\0\0\0WEBPVP8X"), [10, 0, 0, 0, 0x02, 0, 0, 0], [
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  await assert.rejects(decodeImage(animated), /animated WebP is not supported/);
});

Deno.test("readImage names the path in its errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "facefit_image_test_" });
  try {
    const text = `${dir}/not_a_photo.jpg`;
    await Deno.writeTextFile(text, "This is a text file named .jpg");
    await assert.rejects(readImage(text), (e) => {
      assert.ok(e instanceof ImageDecodeError);
      assert.equal(e.path, text);
      assert.equal(
        e.message,
        `Cannot decode image "${text}": not a supported image format (first bytes 54 68 69 73, ` +
          "looks like text); use JPEG, PNG, WebP, GIF, TIFF, BMP or PNM",
      );
      return true;
    });
    await assert.rejects(
      readImage(`${dir}/missing.png`),
      (e) =>
        e instanceof ImageDecodeError &&
        e.message === `Cannot read image "${dir}/missing.png": no such file; check the path`,
    );
    const huge = `${dir}/huge.png`;
    await Deno.writeFile(
      huge,
      await pngBytes({
        width: 1,
        height: 1,
        colorType: 0,
        bitDepth: 8,
        rows: Uint8Array.of(0),
        headerSize: [60_000, 1_000],
      }),
    );
    await assert.rejects(readImage(huge), (e) => {
      assert.ok(e instanceof ImageDecodeError);
      assert.match(e.message, new RegExp(`^Image "${huge}" is 60000x1000 \\(60\\.0 megapixels\\)`));
      return true;
    });
    const extensionless = `${dir}/photo`;
    await Deno.writeFile(extensionless, await redBlueJpeg());
    assert.equal((await readImage(extensionless)).width, 16);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "readImage decodes the dataset's WebP, progressive JPEG and extensionless JPEG",
  ignore: !hasDataset,
  fn: async () => {
    const webp = await readImage(new URL("Train/Messi/Messi-36.webp", DATASET).pathname);
    assert.deepEqual([webp.width, webp.height], [1200, 630]);
    assert.deepEqual(pixel(webp, 0, 0), [28, 30, 31]); // libwebp's own output, as dwebp gives
    const progressive = await readImage(new URL("Test/Messi/Messi-23.jpg", DATASET).pathname);
    assert.deepEqual([progressive.width, progressive.height], [1200, 800]);
    const noExtension = await readImage(new URL("Train/De_Jong/Jong-45", DATASET).pathname);
    assert.deepEqual([noExtension.width, noExtension.height], [1200, 800]);
  },
});

Deno.test("decodeImage quotes options.path in its errors", async () => {
  await assert.rejects(
    decodeImage(ascii("Thisisnotanimage"), { path: "Train/Messi/x.bin" }),
    (e) =>
      e instanceof ImageDecodeError && e.path === "Train/Messi/x.bin" &&
      e.message.startsWith(
        'Cannot decode image "Train/Messi/x.bin": not a supported image format (first bytes 54 68',
      ),
  );
});
