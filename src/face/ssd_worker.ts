/**
 * The worker side of {@linkcode SsdPool}: start a backend, load the SSD, run passes on pixels.
 * It holds the detector only (no landmark or embedding network, no decoder), which keeps a
 * worker's memory to about a third of a full pipeline's.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { initBackend } from "../backend/backend.ts";
import { Ssd } from "./ssd.ts";
import type { FromSsdWorker, ToSsdWorker } from "./ssd_pool.ts";

let ssd: Ssd | undefined;

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
      send({ kind: "ready" });
    } catch (error) {
      send({ kind: "init-failed", error: message(error) });
    }
    return;
  }
  try {
    if (!ssd) throw new Error("The SSD worker was not initialised");
    const { boxes, scores } = await ssd.detect(msg.image, msg.minScore);
    send({ kind: "done", id: msg.id, boxes, scores });
  } catch (error) {
    send({ kind: "failed", id: msg.id, error: message(error) });
  }
};
