/**
 * Face crops through the whole front half of the pipeline: a tight grey 92x112 crop made from a
 * photo (like the classic research sets) gives the photo's face without a detector pass, and a
 * face inside a small photo is still found, with one pass.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../src/backend/backend.ts";
import { FaceAnalyzer } from "../src/embed/photo.ts";
import type { Point } from "../src/face/geometry.ts";
import { distance } from "../src/head/vectors.ts";
import { decodeImage } from "../src/image/mod.ts";
import { CROP_HEIGHT, CROP_WIDTH, headCrop, headRect } from "./support/face_crops.ts";
import { haveData, SHARED } from "./support/cli.ts";

/** Mean distance of two sets of landmarks, in eye distances of `b`. */
function landmarkError(a: Point[], b: Point[]): number {
  const eye = (from: number) => {
    const s = b.slice(from, from + 6);
    return { x: s.reduce((t, p) => t + p.x, 0) / 6, y: s.reduce((t, p) => t + p.y, 0) / 6 };
  };
  const [l, r] = [eye(36), eye(42)];
  const mean = a.reduce((t, p, i) => t + Math.hypot(p.x - b[i].x, p.y - b[i].y), 0) / a.length;
  return mean / Math.hypot(l.x - r.x, l.y - r.y);
}

Deno.test({
  name: "a tight grey 92x112 crop gives its photo's face, aligned alike, without a detector pass",
  ignore: !haveData,
  async fn() {
    await initBackend("wasm");
    const analyzer = await FaceAnalyzer.load({ cacheDir: false });
    for (const file of ["Ansu_Fati/Fati_1.jpg", "De_Jong/Jong-28.jpg", "Messi/Messi-25.jpg"]) {
      const photo = await decodeImage(await Deno.readFile(join(SHARED, "Test", file)));
      const [face] = (await analyzer.analyzeImage(photo)).faces;
      const head = headRect(face.box);
      const passes = analyzer.detector.passes;
      const crop = await analyzer.analyzeImage(headCrop(photo, face.box));
      assert.equal(analyzer.detector.passes - passes, 0, `${file}: detector passes`);
      assert.equal(crop.faces.length, 1, file);
      // The crop's landmarks, back in the photo's pixels.
      const sx = head.width / CROP_WIDTH, sy = head.height / CROP_HEIGHT;
      const back = crop.faces[0].landmarks.map((p) => ({
        x: head.x + (p.x + 0.5) * sx - 0.5,
        y: head.y + (p.y + 0.5) * sy - 0.5,
      }));
      const error = landmarkError(back, face.landmarks);
      // Median over the 222 Test crops: 0.05 eye distances (90% within 0.26; these three are
      // typical ones).
      assert.ok(error < 0.15, `${file}: landmarks ${error.toFixed(3)} eye distances apart`);
      // Grey and 92x112 lose detail, but the embedding stays well within the same person's: on
      // the Test crops the median is 0.20, against 0.48 between two photos of one person.
      const d = distance(crop.faces[0].embedding, face.embedding);
      assert.ok(d < 0.3, `${file}: embedding distance ${d.toFixed(3)}`);
    }
    analyzer.dispose();
  },
});

Deno.test({
  name: "a small photo with a face inside is not taken for a crop: one pass finds the face",
  ignore: !haveData,
  async fn() {
    await initBackend("wasm");
    const analyzer = await FaceAnalyzer.load({ cacheDir: false });
    // 225x225, a face of about 30x40 px near the top.
    const photo = await decodeImage(await Deno.readFile(join(SHARED, "Train/De_Jong/Jong-53.jpg")));
    assert.ok(Math.max(photo.width, photo.height) <= 256, "a small image");
    const passes = analyzer.detector.passes;
    const { faces } = await analyzer.analyzeImage(photo);
    assert.equal(analyzer.detector.passes - passes, 1, "one detector pass");
    assert.equal(faces.length, 1);
    assert.equal(faces[0].pass, 1, "found by the detector");
    const { box } = faces[0];
    assert.ok(
      box.width < 60 && box.height < 80,
      `box ${JSON.stringify(box)}: the face, not the photo`,
    );
    // Aligned on the face: its landmarks sit inside the box.
    const inside = faces[0].landmarks.filter((p) =>
      p.x >= box.x - 5 && p.x <= box.x + box.width + 5 && p.y >= box.y - 5 &&
      p.y <= box.y + box.height + 5
    );
    assert.ok(inside.length >= 60, `${inside.length} of 68 landmarks inside the box`);
    analyzer.dispose();
  },
});
