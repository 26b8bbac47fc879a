import assert from "node:assert/strict";
import { decodeImage } from "../image/mod.ts";
import {
  decodeGray,
  dHash,
  encodeGray,
  fingerprintImage,
  grayThumbnail,
  hammingDistance,
  pHash,
  THUMBNAIL_SIDE,
} from "./perceptual_hash.ts";
import { cropped, jpeg, resized, scene } from "./test_fixtures.ts";

Deno.test("grayThumbnail averages areas: a half-black half-white image gives two cells", () => {
  const width = 10, height = 4;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 5; x < width; x++) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  const t = grayThumbnail({ width, height, data }, 2, 1);
  assert.deepEqual([...t.data], [0, 255]);
  assert.throws(() => grayThumbnail({ width, height, data }, 0, 1), RangeError);
});

Deno.test("grayThumbnail shrinks grey images too, and a shrunk copy hashes like the original", () => {
  const a = scene(9, 640, 480);
  const working = grayThumbnail(a, 256, 192);
  assert.deepEqual(grayThumbnail(working, 2, 2).data, grayThumbnail(a, 2, 2).data);
  assert.ok(hammingDistance(dHash(working), dHash(a)) <= 2);
  assert.ok(hammingDistance(pHash(working), pHash(a)) <= 2);
  const fp = fingerprintImage(a);
  assert.ok(hammingDistance(fp.dHash, dHash(a)) <= 2, "the fingerprint's one-pass hashes");
});

Deno.test("grayThumbnail fills the cells of a source narrower than the thumbnail", () => {
  const t = grayThumbnail({ width: 1, height: 1, data: Uint8Array.of(90, 90, 90) }, 3, 2);
  assert.deepEqual([...t.data], [90, 90, 90, 90, 90, 90]);
});

Deno.test("hashes survive re-encoding and resizing, and tell different scenes apart", async () => {
  const a = scene(1);
  const reencoded = await decodeImage(await jpeg(a, 60));
  const small = resized(a, 160, 120);
  const other = scene(2);
  for (const copy of [reencoded, small]) {
    assert.ok(hammingDistance(dHash(a), dHash(copy)) <= 4, "dHash of a copy");
    assert.ok(hammingDistance(pHash(a), pHash(copy)) <= 4, "pHash of a copy");
  }
  assert.ok(hammingDistance(dHash(a), dHash(other)) > 16, "dHash of another scene");
  assert.ok(hammingDistance(pHash(a), pHash(other)) > 16, "pHash of another scene");
});

Deno.test("a light crop stays near on both hashes", () => {
  const a = scene(3);
  const crop = cropped(a, 8, 6, 304, 228);
  assert.ok(hammingDistance(dHash(a), dHash(crop)) <= 10);
  assert.ok(hammingDistance(pHash(a), pHash(crop)) <= 12);
});

Deno.test("hammingDistance counts differing bits and refuses mixed lengths", () => {
  assert.equal(hammingDistance("0000000000000000", "ffffffffffffffff"), 64);
  assert.equal(hammingDistance("8000000000000001", "0000000000000000"), 2);
  assert.throws(() => hammingDistance("00", "0000"), /differ in length/);
});

Deno.test("fingerprintImage keeps the size and a thumbnail that round-trips through base64", () => {
  const fp = fingerprintImage(scene(4, 200, 100));
  assert.equal(fp.width, 200);
  assert.equal(fp.height, 100);
  assert.match(fp.dHash, /^[0-9a-f]{16}$/);
  assert.match(fp.pHash, /^[0-9a-f]{16}$/);
  const thumb = decodeGray(fp.thumbnail);
  assert.equal(thumb.width, THUMBNAIL_SIDE);
  assert.equal(thumb.height, THUMBNAIL_SIDE / 2);
  assert.deepEqual(decodeGray(encodeGray(thumb)), thumb);
  assert.throws(() => decodeGray({ ...fp.thumbnail, width: 3 }), /damaged/);
});
