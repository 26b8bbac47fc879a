import assert from "node:assert/strict";
import type { Point } from "../face/geometry.ts";
import { normalize } from "../head/vectors.ts";
import type { RgbImage } from "../image/mod.ts";
import {
  compareForNearDuplicate,
  findNearDuplicates,
  type NearDuplicateInput,
} from "./near_duplicates.ts";
import { fingerprintImage } from "./perceptual_hash.ts";
import { cropped, resized, scene } from "./test_fixtures.ts";

/** Five landmarks of a face centred at (cx, cy) with eye distance d. */
function landmarks(cx: number, cy: number, d: number): Point[] {
  return [
    { x: cx - d / 2, y: cy - d / 3 },
    { x: cx + d / 2, y: cy - d / 3 },
    { x: cx, y: cy },
    { x: cx - d / 3, y: cy + d / 2 },
    { x: cx + d / 3, y: cy + d / 2 },
  ];
}

const EMBEDDING = normalize(Array.from({ length: 8 }, (_, i) => Math.sin(i + 1)));

function input(
  path: string,
  image: RgbImage,
  options: { split?: string; sha?: string; face?: { cx: number; cy: number; d: number } } = {},
): NearDuplicateInput {
  const f = options.face;
  return {
    path,
    split: options.split ?? "train",
    label: "Ann",
    sha256: options.sha ?? path,
    fingerprint: fingerprintImage(image),
    faces: f
      ? [{
        box: { x: f.cx - f.d, y: f.cy - f.d, width: 2 * f.d, height: 2 * f.d },
        landmarks: landmarks(f.cx, f.cy, f.d),
        embedding: EMBEDDING,
      }]
      : [],
  };
}

Deno.test("hash route: a resized copy pairs, an unrelated scene does not, exact copies join the group", () => {
  const a = scene(11, 400, 300);
  const { pairs, groups } = findNearDuplicates([
    input("a.jpg", a),
    input("a-copy.jpg", a, { sha: "a.jpg", split: "val" }),
    input("a-small.jpg", resized(a, 200, 150)),
    input("b.jpg", scene(12, 400, 300)),
  ]);
  assert.equal(pairs.length, 1);
  assert.equal(pairs[0].via, "hash");
  assert.deepEqual([pairs[0].a.path, pairs[0].b.path], ["a.jpg", "a-small.jpg"]);
  assert.equal(pairs[0].crossSplit, false);
  assert.equal(groups.length, 1);
  assert.deepEqual(groups[0].files.map((f) => f.path), ["a.jpg", "a-copy.jpg", "a-small.jpg"]);
  assert.deepEqual(groups[0].splits, ["train", "val"]);
});

Deno.test("face route: a heavy crop pairs through the aligned pixels, another scene with the same face does not", () => {
  const a = scene(21, 400, 300);
  const face = { cx: 200, cy: 140, d: 40 };
  // Cut 200x150 around the face and enlarge 1.5x: every hash bit moves, the pixels still agree.
  const crop = resized(cropped(a, 100, 60, 200, 150), 300, 225);
  const cropFace = { cx: (200 - 100) * 1.5, cy: (140 - 60) * 1.5, d: 40 * 1.5 };
  const full = input("full.jpg", a, { face });
  const close = input("close.jpg", crop, { face: cropFace, split: "val" });
  const other = input("other.jpg", scene(22, 400, 300), { face });

  const hit = compareForNearDuplicate(full, close);
  assert.ok(hit, "the crop is found");
  assert.equal(hit.via, "face");
  assert.ok(hit.correlation! >= 0.93, `correlation ${hit.correlation}`);
  assert.ok(hit.dHash > 10 || hit.pHash > 12, "the hashes alone would miss it");
  assert.equal(
    compareForNearDuplicate(full, other),
    undefined,
    "same face, other pixels: another photo",
  );

  const { pairs } = findNearDuplicates([full, close, other]);
  assert.equal(pairs.length, 1);
  assert.equal(pairs[0].crossSplit, true);
});

Deno.test("face route ignores faces too small to embed reliably, and faces of other people", () => {
  const a = scene(31, 400, 300);
  const crop = resized(cropped(a, 100, 60, 200, 150), 300, 225);
  const tiny = input("full.jpg", a, { face: { cx: 200, cy: 140, d: 10 } });
  const tinyCrop = input("close.jpg", crop, { face: { cx: 150, cy: 120, d: 15 } });
  assert.equal(compareForNearDuplicate(tiny, tinyCrop), undefined);
  const big = input("full.jpg", a, { face: { cx: 200, cy: 140, d: 40 } });
  const stranger = input("close.jpg", crop, { face: { cx: 150, cy: 120, d: 60 } });
  stranger.faces = [{
    ...stranger.faces[0],
    embedding: normalize(EMBEDDING.map((v, i) => (i % 2 ? v : -v))),
  }];
  assert.equal(compareForNearDuplicate(big, stranger), undefined);
});

Deno.test("files without a fingerprint (unreadable) are skipped", () => {
  const a = scene(41);
  const broken = { ...input("broken.jpg", a), fingerprint: undefined };
  assert.deepEqual(findNearDuplicates([input("a.jpg", a), broken]).pairs, []);
});
