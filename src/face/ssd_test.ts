import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import * as faceapi from "npm:@vladmandic/face-api@1.7.15/dist/face-api.node-wasm.js";
import { initBackend } from "../backend/backend.ts";
import { decodeImage } from "../image/mod.ts";
import { Ssd, type SsdParams } from "./ssd.ts";
import { loadWeightMap } from "./weights.ts";

const PHOTO = new URL("../../../shared/datasets/fcbarcelona/Test/Pique/", import.meta.url).pathname;
const photo = (() => {
  try {
    return PHOTO + [...Deno.readDirSync(PHOTO)].map((e) => e.name).sort()[0];
  } catch {
    return undefined;
  }
})();

await initBackend("wasm");
const net = new faceapi.SsdMobilenetv1();
// deno-lint-ignore no-explicit-any
net.loadFromWeightMap(await loadWeightMap("ssd_mobilenetv1_model") as any);

Deno.test("the fused SSD frees every intermediate tensor", async () => {
  const ssd = await Ssd.fromFaceApi(net.params as unknown as SsdParams);
  const image = tf.randomUniform([300, 400, 3], 0, 255) as tf.Tensor3D;
  const pixels = { width: 400, height: 300, data: new Uint8Array(300 * 400 * 3).fill(77) };
  const before = tf.memory().numTensors;
  for (const input of [image, pixels]) {
    const { boxes, scores } = await ssd.detect(input, 0);
    assert.equal(boxes.length, 5118, "one box per anchor at score 0");
    assert.equal(scores.length, boxes.length);
    assert.equal(tf.memory().numTensors, before);
  }
  image.dispose();
  ssd.dispose();
});

Deno.test({
  name: "the fused SSD gives face-api's own scores and boxes on a real photo",
  ignore: photo === undefined,
  async fn() {
    const ssd = await Ssd.fromFaceApi(net.params as unknown as SsdParams);
    const image = await decodeImage(await Deno.readFile(photo!));
    const t = tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
    // deno-lint-ignore no-explicit-any
    const out = net.forwardInput(await faceapi.toNetInput(t as any));
    const [theirScores, theirBoxes] = [await out.scores[0].data(), await out.boxes[0].data()];
    assert.notEqual(image.width, image.height, "a photo that needs padding to a square");
    // From a tensor, and from pixels (the square padded in JavaScript).
    for (const input of [t, image]) {
      const ours = await ssd.detect(input, 0);
      let maxDiff = 0;
      ours.scores.forEach((s, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(s - theirScores[i]));
        for (let k = 0; k < 4; k++) {
          maxDiff = Math.max(maxDiff, Math.abs(ours.boxes[i][k] - theirBoxes[i * 4 + k]));
        }
      });
      assert.ok(maxDiff < 1e-4, `max difference ${maxDiff}`);
      assert.ok(Math.max(...ours.scores) > 0.5, "a face is found");
    }
    out.boxes.forEach((x) => x.dispose());
    out.scores.forEach((x) => x.dispose());
    t.dispose();
    ssd.dispose();
  },
});
