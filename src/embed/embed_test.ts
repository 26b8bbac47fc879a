import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import * as faceapi from "npm:@vladmandic/face-api@1.7.15/dist/face-api.node-wasm.js";
import { decode, Image } from "npm:imagescript@1.3.1";
import { initBackend } from "../backend/backend.ts";
import { CHIP_SIZE } from "./backbone.ts";
import { embed } from "./embed.ts";
import { faceApiModelDir, loadBackbone } from "./weights.ts";

const PHOTOS = "/work/shared/datasets/fcbarcelona/Test";
const PEOPLE = ["Messi", "Busquets", "Pique", "Ter_stegen"];
const MAX_FACE_CHIPS = 7;
/** Golden tolerance: the folded scale and the normalisation layer change float rounding only. */
const TOLERANCE = 1e-4;

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

async function firstPhotos(person: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${PHOTOS}/${person}`)) {
    if (entry.isFile && /\.jpe?g$/i.test(entry.name)) names.push(entry.name);
  }
  return names.sort().slice(0, count).map((n) => `${PHOTOS}/${person}/${n}`);
}

async function readRgb(path: string): Promise<tf.Tensor3D> {
  const image = await decode(await Deno.readFile(path));
  assert.ok(image instanceof Image, `"${path}" is not a still image`);
  const rgba = image.bitmap;
  const rgb = new Int32Array(image.width * image.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return tf.tensor3d(rgb, [image.height, image.width, 3], "int32");
}

/** Face chips cut from the photos by face-api's own detector, resized to 150x150 float RGB. */
async function faceChips(): Promise<tf.Tensor3D[]> {
  const chips: tf.Tensor3D[] = [];
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  for (const person of PEOPLE) {
    for (const path of await firstPhotos(person, 2)) {
      if (chips.length >= MAX_FACE_CHIPS) return chips;
      const image = await readRgb(path);
      const [height, width] = image.shape;
      const faces = await faceapi.detectAllFaces(image, options);
      const face = faces.sort((a, b) => b.score - a.score)[0];
      if (face) {
        const x0 = Math.max(0, Math.floor(face.box.x));
        const y0 = Math.max(0, Math.floor(face.box.y));
        const x1 = Math.min(width, Math.ceil(face.box.x + face.box.width));
        const y1 = Math.min(height, Math.ceil(face.box.y + face.box.height));
        chips.push(tf.tidy(() =>
          tf.image.resizeBilinear(
            tf.slice(image, [y0, x0, 0], [y1 - y0, x1 - x0, 3]).toFloat() as tf.Tensor3D,
            [CHIP_SIZE, CHIP_SIZE],
          )
        ));
      }
      image.dispose();
    }
  }
  return chips;
}

Deno.test({
  name: "embed equals face-api's computeFaceDescriptor on real face chips and on noise",
  ignore: !exists(PHOTOS),
  fn: async () => {
    await initBackend("wasm");
    const modelDir = fileURLToPath(faceApiModelDir());
    await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
    await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
    const model = await loadBackbone();

    const chips = await faceChips();
    assert.ok(chips.length >= 4, `only ${chips.length} faces found in ${PHOTOS}`);
    chips.push(tf.randomUniform([CHIP_SIZE, CHIP_SIZE, 3], 0, 255, "float32", 42) as tf.Tensor3D);

    const batch = tf.stack(chips) as tf.Tensor4D;
    const ours = tf.tidy(() => embed(model, batch));
    const rows = await ours.array();
    let maxDiff = 0;
    for (const [i, chip] of chips.entries()) {
      const theirs = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(
        chip,
      ) as Float32Array;
      assert.equal(theirs.length, 128);
      for (let k = 0; k < 128; k++) maxDiff = Math.max(maxDiff, Math.abs(rows[i][k] - theirs[k]));
    }
    assert.ok(maxDiff <= TOLERANCE, `max abs difference ${maxDiff} over ${chips.length} chips`);

    tf.dispose([ours, batch, ...chips]);
    model.dispose();
  },
});
