import assert from "node:assert/strict";
import { FormatError } from "./errors.ts";
import { decodePnm, parsePnmHeader } from "./pnm.ts";
import { ascii, concat } from "./test_fixtures.ts";

Deno.test("decodePnm reads binary PGM (P5) and PPM (P6)", () => {
  const pgm = decodePnm(concat(ascii("P5\n# a comment\n3 1\n255\n"), [0, 128, 255]));
  assert.deepEqual([pgm.width, pgm.height], [3, 1]);
  assert.deepEqual([...pgm.data], [0, 0, 0, 128, 128, 128, 255, 255, 255]);
  const ppm = decodePnm(concat(ascii("P6 2 1 255\n"), [10, 20, 30, 40, 50, 60]));
  assert.deepEqual([...ppm.data], [10, 20, 30, 40, 50, 60]);
});

Deno.test("decodePnm scales maxval and reads 16-bit big-endian samples", () => {
  const low = decodePnm(concat(ascii("P5 3 1 15\n"), [0, 5, 15]));
  assert.deepEqual([...low.data], [0, 0, 0, 85, 85, 85, 255, 255, 255]);
  const wide = decodePnm(concat(ascii("P5 2 1 65535\n"), [0xff, 0xff, 0x80, 0x00]));
  assert.deepEqual([...wide.data], [255, 255, 255, 128, 128, 128]);
});

Deno.test("decodePnm reads ASCII P1, P2 and P3", () => {
  const pbm = decodePnm(ascii("P1\n3 2\n010\n1 0 1\n"));
  assert.deepEqual([...pbm.data].filter((_, i) => i % 3 === 0), [255, 0, 255, 0, 255, 0]);
  const pgm = decodePnm(ascii("P2\n2 2\n# grey\n100\n0 50\n100 25\n"));
  assert.deepEqual([...pgm.data].filter((_, i) => i % 3 === 0), [0, 128, 255, 64]);
  const ppm = decodePnm(ascii("P3 1 2 255 1 2 3 4 5 6"));
  assert.deepEqual([...ppm.data], [1, 2, 3, 4, 5, 6]);
});

Deno.test("decodePnm reads packed PBM (P4) rows padded to whole bytes", () => {
  // 10 pixels per row: 2 bytes, the last 6 bits padding. 1 is black.
  const image = decodePnm(concat(ascii("P4\n10 1\n"), [0b10000000, 0b01000000]));
  const grey = [...image.data].filter((_, i) => i % 3 === 0);
  assert.deepEqual(grey, [0, 255, 255, 255, 255, 255, 255, 255, 255, 0]);
});

Deno.test("decodePnm refuses truncated data and bad headers", () => {
  assert.throws(
    () => decodePnm(concat(ascii("P5 4 4 255\n"), [1, 2, 3])),
    (e) => e instanceof FormatError && /P5 data is truncated \(3 of 16 samples\)/.test(e.message),
  );
  assert.throws(() => decodePnm(ascii("P2 2 2 255\n1 2 3")), /P2 data is truncated \(3 of 4/);
  assert.throws(() => decodePnm(ascii("P6 0 4 255\n")), /PNM header is incomplete/);
  assert.throws(() => decodePnm(ascii("P6 4 4 70000\n")), /PNM header is incomplete/);
  assert.equal(parsePnmHeader(ascii("P5 4")), undefined);
  assert.deepEqual(parsePnmHeader(ascii("P5 4 3 255\n")), {
    kind: 5,
    width: 4,
    height: 3,
    maxval: 255,
    dataStart: 11,
  });
});
