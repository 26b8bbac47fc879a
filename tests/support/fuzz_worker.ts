/**
 * The worker of tests/fuzz_test.ts: decodes mutated image bytes or loads a mutated model folder
 * and says how it went. It runs in a worker so that a case that hangs (a decoder stuck in a
 * WebAssembly loop never yields) can be stopped by terminating the worker.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { decodeImage } from "../../src/image/mod.ts";
import { loadModel } from "../../src/head/model_io.ts";
import { Recognizer } from "../../src/head/recognizer.ts";
import type { FaceAnalyzer } from "../../src/embed/photo.ts";

/** A case for the worker. */
export type FuzzCase =
  | { id: number; kind: "decode"; bytes: Uint8Array; maxPixels: number }
  | { id: number; kind: "load"; dir: string };

/** How a case went: fine, or the error's class name and message; and the tensors alive after. */
export type FuzzOutcome =
  & { id: number; tensors: number }
  & ({ ok: true } | { ok: false; name: string; message: string });

await tf.setBackend("cpu");

async function run(c: FuzzCase): Promise<void> {
  if (c.kind === "decode") {
    await decodeImage(c.bytes, { maxPixels: c.maxPixels, path: "fuzz.bin" });
    return;
  }
  const model = await loadModel(c.dir);
  try {
    // What predict does with a loaded model: the head and facefit.json's thresholds together.
    const size = model.info.embedding.size;
    const recognizer = new Recognizer(undefined as unknown as FaceAnalyzer, model.head, model.info);
    const face = {
      box: { x: 0, y: 0, width: 10, height: 10 },
      score: 0.9,
      pass: 1 as const,
      landmarks: [],
      embedding: Array.from({ length: size }, (_, i) => Math.sin(i)),
    };
    await recognizer.recognizeRecord({ width: 10, height: 10, faces: [face] });
  } finally {
    model.head.dispose();
    model.backbone?.dispose();
  }
}

self.onmessage = async (e: MessageEvent<FuzzCase>) => {
  const c = e.data;
  let outcome: FuzzOutcome;
  try {
    await run(c);
    outcome = { id: c.id, ok: true, tensors: tf.memory().numTensors };
  } catch (error) {
    outcome = {
      id: c.id,
      ok: false,
      name: error instanceof Error ? error.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
      tensors: tf.memory().numTensors,
    };
  }
  self.postMessage(outcome);
};
