import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../backend/backend.ts";
import type { Tensor3D } from "../backend/tf_types.ts";
import { decodeImage } from "../image/mod.ts";
import { LandmarkNet } from "./landmark_net.ts";
import { Ssd } from "./ssd.ts";
import { SsdPool } from "./ssd_pool.ts";

const PHOTO = new URL("../../../shared/datasets/fcbarcelona/Test/Messi/", import.meta.url).pathname;
const photo = (() => {
  try {
    return PHOTO + [...Deno.readDirSync(PHOTO)].map((e) => e.name).sort()[0];
  } catch {
    return undefined;
  }
})();

await initBackend("wasm");

/** A synthetic picture: a bright disc on grey, so that the test runs without the data set. */
function disc(): { width: number; height: number; data: Uint8Array } {
  const width = 300, height = 200, data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.fill(
        (x - 150) ** 2 + (y - 100) ** 2 < 60 ** 2 ? 220 : 90,
        (y * width + x) * 3,
        (y * width + x) * 3 + 3,
      );
    }
  }
  return { width, height, data };
}

Deno.test("a worker's SSD pass gives this thread's boxes and scores", async () => {
  const image = photo ? await decodeImage(await Deno.readFile(photo)) : disc();
  const ssd = await Ssd.load();
  const pool = await SsdPool.start(1, "wasm");
  try {
    const here = await ssd.detect(image, 0.05);
    const there = await pool.withRoom()!.detect(image, 0.05);
    assert.ok(here.scores.length > 0, "some anchors score 0.05");
    assert.equal(there.scores.length, here.scores.length);
    let maxDiff = 0;
    here.scores.forEach((s, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(s - there.scores[i]));
      here.boxes[i].forEach((
        v,
        k,
      ) => (maxDiff = Math.max(maxDiff, Math.abs(v - there.boxes[i][k]))));
    });
    assert.ok(maxDiff < 1e-6, `max difference ${maxDiff}`);
    assert.equal(image.data.length, image.width * image.height * 3, "the caller keeps its pixels");
  } finally {
    pool.close();
    ssd.dispose();
  }
});

Deno.test("the pool takes `depth` passes per worker, then says it has no room", async () => {
  const pool = await SsdPool.start(1, "wasm", 2);
  try {
    const image = disc();
    const first = pool.withRoom()!.detect(image, 0.5);
    const second = pool.withRoom()!.detect(image, 0.5);
    assert.equal(pool.withRoom(), undefined, "two passes held: no room for a third");
    await first;
    const third = pool.withRoom();
    assert.ok(third, "room again once a pass is done");
    await Promise.all([second, third.detect(image, 0.5)]);
  } finally {
    pool.close();
  }
});

Deno.test("closing the pool fails the passes in flight", async () => {
  const pool = await SsdPool.start(1, "wasm");
  const pass = pool.withRoom()!.detect(disc(), 0.5);
  pool.close();
  await assert.rejects(pass, /closed/);
});

Deno.test("a worker's landmark pass gives this thread's, only a worker free of SSD passes takes one", async () => {
  const net = await LandmarkNet.load();
  const pool = await SsdPool.start(1, "wasm", 2);
  const picture = disc();
  const faces = [picture, { ...picture, width: 200, height: 300 }]; // the same pixels, tall
  try {
    const tensors = faces.map((f) =>
      tf.tensor3d(f.data, [f.height, f.width, 3], "int32") as Tensor3D
    );
    const here = await net.run(tensors);
    tensors.forEach((t) => t.dispose());
    const busy = pool.withRoom()!.detect(disc(), 0.5);
    assert.equal(pool.forLandmarks(), undefined, "a worker holding an SSD pass takes no landmarks");
    await busy;
    const runner = pool.forLandmarks();
    assert.ok(runner, "free of SSD passes once the pass is done");
    const queued = pool.forLandmarks();
    assert.ok(queued, "a second landmark pass waits in the worker's queue");
    assert.equal(pool.forLandmarks(), undefined, "two passes held: no room for a third");
    const [there, again] = await Promise.all(
      [runner, queued].map((r) => r.landmarks(faces.map((f) => ({ ...f, data: f.data.slice() })))),
    );
    assert.deepEqual([...again], [...there]);
    assert.equal(there.length, 2 * 136);
    assert.deepEqual([...there], [...here], "bit for bit: the same kernels on the same pixels");
    assert.ok(pool.withRoom(), "the worker is free again");
  } finally {
    pool.close();
    net.dispose();
  }
});
