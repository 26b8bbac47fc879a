import assert from "node:assert/strict";
import { describeUnsupported, sniffFormat } from "./sniff.ts";
import { ascii, concat } from "./test_fixtures.ts";

Deno.test("sniffFormat recognises every format from its magic bytes", () => {
  const bmpHeader = concat(ascii("BM"), new Array(12).fill(0), [40, 0, 0, 0]);
  const cases: [Uint8Array, string | undefined][] = [
    [Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), "jpeg"],
    [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), "png"],
    [ascii("GIF87a"), "gif"],
    [ascii("GIF89a"), "gif"],
    [ascii("II*\0"), "tiff"],
    [ascii("MM\0*"), "tiff"],
    [ascii("RIFF\x10\0\0\0WEBPVP8 "), "webp"],
    [bmpHeader, "bmp"],
    [ascii("P5\n"), "pnm"],
    [ascii("P3 "), "pnm"],
    [ascii("P1\t"), "pnm"],
  ];
  for (const [bytes, format] of cases) assert.equal(sniffFormat(bytes), format, String(bytes));
});

Deno.test("sniffFormat rejects look-alikes and empty input", () => {
  assert.equal(sniffFormat(new Uint8Array(0)), undefined);
  assert.equal(sniffFormat(ascii("BMW and Mercedes are car makers")), undefined);
  assert.equal(sniffFormat(ascii("P7\nWIDTH 2")), undefined); // PAM
  assert.equal(sniffFormat(ascii("Pixel")), undefined);
  assert.equal(sniffFormat(ascii("RIFF\x10\0\0\0WAVEfmt ")), undefined);
  assert.equal(sniffFormat(Uint8Array.from([0xff, 0xd8])), undefined);
});

Deno.test("describeUnsupported names the first bytes and recognises text, HTML and HEIC", () => {
  assert.equal(
    describeUnsupported(ascii("This is not an image")),
    "not a supported image format (first bytes 54 68 69 73, looks like text); " +
      "use JPEG, PNG, WebP, GIF, TIFF, BMP or PNM",
  );
  assert.match(
    describeUnsupported(ascii("<!DOCTYPE html><html><body>404</body></html>")),
    /looks like an HTML page/,
  );
  assert.match(
    describeUnsupported(Uint8Array.from([0, 1, 2, 3, 0xfe])),
    /first bytes 00 01 02 03\)/,
  );
  assert.equal(
    describeUnsupported(concat([0, 0, 0, 0x18], ascii("ftypheic"))),
    "HEIC/HEIF images are not supported; convert the file to JPEG or PNG",
  );
});
