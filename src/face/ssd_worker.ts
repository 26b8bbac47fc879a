/**
 * The worker side of {@linkcode SsdPool}: start a backend, load the SSD and the landmark network,
 * run passes on pixels. It holds no embedding network and no decoder, which keeps a worker's
 * memory to about a third of a full pipeline's.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { initBackend } from "../backend/backend.ts";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Tensor3D } from "../backend/tf_types.ts";
import { LandmarkNet } from "./landmark_net.ts";
import { Ssd } from "./ssd.ts";
import type { FromSsdWorker, ToSsdWorker } from "./ssd_pool.ts";

let ssd: Ssd | undefined;
let landmarkNet: LandmarkNet | undefined;

function send(msg: FromSsdWorker): void {
  self.postMessage(msg);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

self.onmessage = async (e: MessageEvent<ToSsdWorker>) => {
  const msg = e.data;
  if (msg.kind === "init") {
    try {
      await initBackend(msg.backend);
      ssd = await Ssd.load();
      landmarkNet = await LandmarkNet.load();
      send({ kind: "ready" });
    } catch (error) {
      send({ kind: "init-failed", error: message(error) });
    }
    return;
  }
  try {
    if (!ssd || !landmarkNet) throw new Error("The SSD worker was not initialised");
    if (msg.kind === "landmarks") {
      const faces = msg.faces.map((f) =>
        tf.tensor3d(f.data, [f.height, f.width, 3], "int32") as Tensor3D
      );
      try {
        const landmarks = await landmarkNet.run(faces);
        const done: FromSsdWorker = { kind: "landmarks-done", id: msg.id, landmarks };
        self.postMessage(done, [landmarks.buffer as ArrayBuffer]);
      } finally {
        faces.forEach((f) => f.dispose());
      }
      return;
    }
    const { boxes, scores } = await ssd.detect(msg.image, msg.minScore);
    send({ kind: "done", id: msg.id, boxes, scores });
  } catch (error) {
    send({ kind: "failed", id: msg.id, error: message(error) });
  }
};
