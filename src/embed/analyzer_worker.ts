/**
 * The worker side of {@linkcode AnalyzerPool}: start a backend, load an analyzer, analyze photos.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { initBackend } from "../backend/backend.ts";
import { readLayersModel } from "../backend/layers_io.ts";
import { FaceAnalyzer } from "./photo.ts";
import type { FromWorker, ToWorker } from "./pool.ts";

let analyzer: FaceAnalyzer | undefined;

function send(msg: FromWorker): void {
  self.postMessage(msg);
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.kind === "init") {
    try {
      await initBackend(msg.config.backend);
      const { backboneDir, backend: _, ...config } = msg.config;
      analyzer = await FaceAnalyzer.load({
        ...config,
        backbone: backboneDir ? await readLayersModel(backboneDir) : undefined,
        workers: 1,
      });
      send({ kind: "ready" });
    } catch (error) {
      send({ kind: "init-failed", error: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  try {
    if (!analyzer) throw new Error("The analyzer worker was not initialised");
    const hits = analyzer.stats.hits;
    const record = await analyzer.analyzeFile(msg.path);
    send({ kind: "done", id: msg.id, record, cached: analyzer.stats.hits > hits });
  } catch (error) {
    send({
      kind: "failed",
      id: msg.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
};
