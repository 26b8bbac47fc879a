/**
 * Make a classic face-crop collection from a folder-per-person photo collection: for every photo,
 * the face that `train` takes as the person (the full-photo pipeline's box, chosen by centroid),
 * expanded to a tight head crop of 92x112 aspect, converted to grey and resized to 92x112, written
 * as binary PGM to `OUT/<split>/<person>/<name>.pgm`, like the classic research sets (AT&T/ORL).
 *
 *   deno run -A bench/make_crops.ts [--data DIR] --out DIR [--splits Train,Test]
 *
 * The crops are derived from the photos: write them outside the repository. `OUT/crops.json`
 * records, for every crop, its photo and the head rectangle it was cut from.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { initBackend } from "../src/backend/backend.ts";
import { scanDataset } from "../src/dataset/scan.ts";
import { FaceAnalyzer } from "../src/embed/photo.ts";
import type { Box } from "../src/face/geometry.ts";
import { normalize } from "../src/head/vectors.ts";
import { decodeImage } from "../src/image/mod.ts";
import { analyzeFiles } from "../src/train/collect.ts";
import { chooseFaces } from "../src/train/choose_face.ts";
import {
  CROP_HEIGHT,
  CROP_WIDTH,
  encodePgm,
  greyCrop,
  headRect,
} from "../tests/support/face_crops.ts";
import { FCBARCELONA } from "./run_cli.ts";

/** One crop of the collection and where it came from. */
export interface CropEntry {
  /** The crop, relative to the output folder. */
  crop: string;
  /** The photo it was cut from. */
  photo: string;
  /** The detector's box of the face in the upright photo. */
  face: Box;
  /** The head rectangle cut out (may reach past the photo's edges, which repeat). */
  head: Box;
}

/**
 * Write the crops of every split of `data` under `out`, one per photo whose person's face was
 * found.
 *
 * @returns the crops written, and the photos left out (no face, or none near the person).
 */
export async function makeCrops(
  analyzer: FaceAnalyzer,
  data: string,
  out: string,
  splits: readonly string[],
): Promise<{ crops: CropEntry[]; skipped: string[] }> {
  const crops: CropEntry[] = [];
  const skipped: string[] = [];
  const taken = new Set<string>();
  for (const split of splits) {
    const { files } = await scanDataset(join(data, split));
    const { analyzed } = await analyzeFiles(analyzer, files);
    const { choices } = chooseFaces(analyzed.map((a) => ({
      label: a.label,
      embeddings: a.record.faces.map((f) => normalize(f.embedding)),
      areas: a.record.faces.map((f) => f.box.width * f.box.height),
    })));
    for (const [i, a] of analyzed.entries()) {
      const index = choices[i].index;
      if (index < 0) {
        skipped.push(a.path);
        continue;
      }
      const face = a.record.faces[index].box;
      const head = headRect(face);
      const image = await decodeImage(await Deno.readFile(a.path), { path: a.path });
      // "x.jpg" -> "x.pgm", unless another photo ("x", "x.png") took that name already.
      const file = a.path.split("/").pop()!;
      let crop = join(split, a.label, `${file.replace(/\.[^.]*$/, "")}.pgm`);
      if (taken.has(crop)) crop = join(split, a.label, `${file}.pgm`);
      taken.add(crop);
      await Deno.mkdir(join(out, split, a.label), { recursive: true });
      await Deno.writeFile(
        join(out, crop),
        encodePgm(greyCrop(image, head, CROP_WIDTH, CROP_HEIGHT), CROP_WIDTH, CROP_HEIGHT),
      );
      crops.push({ crop, photo: a.path, face, head });
    }
  }
  await Deno.writeTextFile(join(out, "crops.json"), JSON.stringify({ crops, skipped }, null, 1));
  return { crops, skipped };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      data: { type: "string", default: FCBARCELONA },
      out: { type: "string" },
      splits: { type: "string", default: "Train,Test" },
      backend: { type: "string", default: "wasm" },
    },
  });
  if (!values.out) {
    console.error(
      "Usage: deno run -A bench/make_crops.ts [--data DIR] --out DIR (outside the repo)",
    );
    Deno.exit(2);
  }
  await initBackend(values.backend as "wasm");
  const analyzer = await FaceAnalyzer.load({ workers: navigator.hardwareConcurrency ?? 1 });
  const { crops, skipped } = await makeCrops(
    analyzer,
    values.data!,
    values.out,
    values.splits!.split(","),
  );
  analyzer.dispose();
  console.log(`${crops.length} crops written to ${values.out}; ${skipped.length} photos left out`);
  for (const s of skipped) console.log(`  left out: ${s}`);
}
