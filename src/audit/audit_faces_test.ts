import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../backend/backend.ts";
import { FaceAnalyzer } from "../embed/photo.ts";
import { readImage } from "../image/mod.ts";
import { auditDataset } from "./audit.ts";
import { cropped, fromImage, jpeg, resized, scene, toImage, writeTree } from "./test_fixtures.ts";

/** One shared photo with one clear face (340x340, the face about 90x105 at (142, 77)). */
const PHOTO = "/work/shared/datasets/fcbarcelona/Train/Aguero/Aguero_21.jpg";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "auditDataset with the real face networks: a cropped copy across splits, a photo without a face, a group photo",
  ignore: !exists(PHOTO),
  fn: async () => {
    await initBackend("auto");
    const root = await Deno.makeTempDir({ prefix: "facefit-audit-faces-" });
    const analyzer = await FaceAnalyzer.load({ cacheDir: false });
    try {
      const photo = await readImage(PHOTO);
      // A quarter cut off the left, some off the top and bottom, enlarged 1.5x: the hashes no longer match.
      const crop = resized(cropped(photo, 80, 30, 260, 270), 390, 405);
      const pair = toImage(scene(5, 700, 360)).composite(toImage(photo), 0, 10).composite(
        toImage(photo),
        360,
        10,
      );
      await Deno.mkdir(join(root, "train", "Aguero"), { recursive: true });
      await Deno.symlink(PHOTO, join(root, "train", "Aguero", "a.jpg"));
      await writeTree(root, {
        "train/Aguero/pair.jpg": await jpeg(fromImage(pair)),
        "train/Bob/empty-scene.jpg": await jpeg(scene(6)),
        "val/Aguero/crop.jpg": await jpeg(crop, 85),
      });
      const r = await auditDataset(
        [{ name: "train", root: join(root, "train") }, { name: "val", root: join(root, "val") }],
        { analyzer, cacheDir: false },
      );
      const rel = (p: string) => p.slice(root.length + 1);
      const pairs = r.nearDuplicates!.pairs.map((
        p,
      ) => [rel(p.a.path), rel(p.b.path), p.via, p.crossSplit]);
      // The collage holds the photo too: all three are one photo, found by its face.
      assert.deepEqual(pairs.sort(), [
        ["train/Aguero/a.jpg", "train/Aguero/pair.jpg", "face", false],
        ["train/Aguero/a.jpg", "val/Aguero/crop.jpg", "face", true],
        ["train/Aguero/pair.jpg", "val/Aguero/crop.jpg", "face", true],
      ]);
      assert.deepEqual(r.faces!.noFace.map((f) => rel(f.path)), ["train/Bob/empty-scene.jpg"]);
      const multi = r.faces!.multiFace.map((m) => [rel(m.path), m.faces, m.chosen >= 0]);
      assert.deepEqual(multi, [["train/Aguero/pair.jpg", 2, true]]);
      assert.deepEqual(r.mislabels, []);
      assert.deepEqual(r.cache.faces, { hits: 0, misses: 4 });
    } finally {
      analyzer.dispose();
      await Deno.remove(root, { recursive: true });
    }
  },
});
