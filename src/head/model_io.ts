/**
 * Save and load a trained facefit model folder:
 *
 * ```
 * models/<name>/
 *   model.json, weights.bin   the head, a tfjs LayersModel (loadable with tf.loadLayersModel)
 *   backbone/                 the fine-tuned backbone, same format (only after fine-tuning)
 *   facefit.json              labels, backbone id, chip geometry, preprocessing, thresholds,
 *                             per-person centroids (open-set calibration)
 *   metrics.json              training history and validation figures
 * ```
 *
 * A folder is written to a temporary sibling and renamed into place, so an interrupted save
 * leaves the previous model intact.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { concatBytes } from "../backend/bytes.ts";
import type { LayersModel } from "../backend/tf_types.ts";
import { buildLayersModel, checkManifest, type LayersManifest } from "../backend/layers_io.ts";
import { basename, dirname, join } from "node:path";
import type { OpenSetInfo } from "./open_set.ts";

/** Version of the folder layout; a model with another version is refused with a clear message. */
export const MODEL_FORMAT = 1;

/** The sub-folder holding a fine-tuned backbone. */
export const BACKBONE_DIR = "backbone";

/** What a model folder says about itself (facefit.json). */
export interface ModelInfo {
  /** Version of the folder layout, {@linkcode MODEL_FORMAT}. */
  format: number;
  /** The people, in the order of the head's outputs. */
  labels: string[];
  /** Which backbone weights produced the embeddings the head was trained on. */
  backbone: string;
  /** Chip geometry and input preprocessing of the backbone. */
  chip: { size: number; padding: number; alignment: string };
  /** How the embedding is prepared before the head. */
  embedding: { size: number; normalize: "l2" };
  /**
   * The head's probability threshold and how it was chosen. It calls faces unknown only in a model
   * without `openSet` (trained before per-person calibration); otherwise it is informational.
   */
  threshold: { value: number; rule: string };
  /** Per-person distance thresholds and centroids that decide `unknown`, and how they were chosen. */
  openSet?: OpenSetInfo;
  /** Present when the backbone was fine-tuned: it is then stored in `backbone/`. */
  fineTune?: { stages: number; baseBackbone: string } & Record<string, unknown>;
  /** When and how it was trained. */
  createdAt: string;
  /** The training settings: data, validation, epochs, learning rates... */
  training: Record<string, unknown>;
}

/** A loaded model. */
export interface SavedModel {
  /** The classifier head: embedding in, one probability per person out. */
  head: LayersModel;
  /** The contents of facefit.json. */
  info: ModelInfo;
  /** The fine-tuned backbone, when the model has one. */
  backbone?: LayersModel;
  /** The contents of metrics.json (history, validation figures), when present. */
  metrics?: Record<string, unknown>;
}

/**
 * Write a model folder atomically.
 *
 * @param dir the model folder, e.g. "models/friends"; its parent is created when missing.
 * @param options more files to write, and a signal that abandons the save.
 * @throws Error naming the folder when it cannot be written; the abort reason itself when
 *   `options.signal` aborts before the new folder is swapped in (the previous model then stays).
 *
 * @example Save a head and load it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/backend.ts";
 * import { buildHead } from "./head.ts";
 * import { loadModel, MODEL_FORMAT, saveModel } from "./model_io.ts";
 *
 * await initBackend("cpu");
 * const dir = `${await Deno.makeTempDir()}/friends`;
 * const info = {
 *   format: MODEL_FORMAT,
 *   labels: ["Ada", "Bob"],
 *   backbone: "example",
 *   chip: { size: 150, padding: 0.25, alignment: "example" },
 *   embedding: { size: 128, normalize: "l2" as const },
 *   threshold: { value: 0.6, rule: "chosen by hand" },
 *   createdAt: new Date().toISOString(),
 *   training: {},
 * };
 * await saveModel(dir, { head: buildHead({ inputSize: 128, classes: 2 }), info });
 * const model = await loadModel(dir);
 * assert.deepEqual(model.info.labels, ["Ada", "Bob"]);
 * model.head.dispose();
 * ```
 */
export async function saveModel(
  dir: string,
  model: SavedModel,
  options: SaveOptions = {},
): Promise<void> {
  const { extraFiles = {}, signal, onFile } = options;
  signal?.throwIfAborted();
  const parent = dirname(dir);
  await Deno.mkdir(parent, { recursive: true });
  const stamp = `${Date.now()}-${crypto.randomUUID().slice(0, 8)}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${stamp}`);
  const old = join(parent, `.${basename(dir)}.old-${stamp}`);
  await Deno.mkdir(tmp);
  const written = (name: string) => {
    onFile?.(name);
    signal?.throwIfAborted();
  };
  try {
    await writeLayersModel(tmp, model.head);
    written("model.json");
    if (model.backbone) {
      await Deno.mkdir(join(tmp, BACKBONE_DIR));
      await writeLayersModel(join(tmp, BACKBONE_DIR), model.backbone);
      written(`${BACKBONE_DIR}/model.json`);
    }
    await Deno.writeTextFile(join(tmp, "facefit.json"), JSON.stringify(model.info, null, 2) + "\n");
    written("facefit.json");
    if (model.metrics) {
      await Deno.writeTextFile(
        join(tmp, "metrics.json"),
        JSON.stringify(model.metrics, null, 2) + "\n",
      );
      written("metrics.json");
    }
    for (const [name, content] of Object.entries(extraFiles)) {
      if (typeof content === "string") await Deno.writeTextFile(join(tmp, name), content);
      else await Deno.writeFile(join(tmp, name), content);
      written(name);
    }
    await fsyncTree(tmp);
    signal?.throwIfAborted();
    // The swap is synchronous, so no signal handler or other task runs between its two renames.
    swapIn(tmp, dir, old);
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    if (signal?.aborted && error === signal.reason) throw error;
    throw new Error(
      `Cannot save the model to "${dir}": ${error instanceof Error ? error.message : error}`,
    );
  }
  await Deno.remove(old, { recursive: true }).catch(() => {});
}

/** Options of {@linkcode saveModel}. */
export interface SaveOptions {
  /** More files to put in the folder (e.g. a report), written before the rename. */
  extraFiles?: Record<string, string | Uint8Array>;
  /**
   * Abandons the save when aborted before the new folder is swapped in: the temporary folder is
   * removed and the previous model stays. An abort after the swap is ignored.
   */
  signal?: AbortSignal;
  /** Called after each file is written to the temporary folder (path relative to the model). */
  onFile?: (name: string) => void;
}

/** Move `dir` aside to `old` (when it exists) and `tmp` to `dir`; put `old` back on failure. */
function swapIn(tmp: string, dir: string, old: string): void {
  let hadOld = false;
  try {
    Deno.renameSync(dir, old);
    hadOld = true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    Deno.renameSync(tmp, dir);
  } catch (error) {
    if (hadOld) Deno.renameSync(old, dir);
    throw error;
  }
}

/** Write a LayersModel as `model.json` + `weights.bin` into an existing folder. */
export async function writeLayersModel(dir: string, model: tf.LayersModel): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const { weightData, ...topology } = artifacts;
    const weights = weightData instanceof ArrayBuffer
      ? new Uint8Array(weightData)
      : new Uint8Array(await new Blob(weightData as ArrayBuffer[]).arrayBuffer());
    await Deno.writeFile(join(dir, "weights.bin"), weights);
    const json = {
      modelTopology: topology.modelTopology,
      format: "layers-model",
      generatedBy: "facefit",
      convertedBy: null,
      weightsManifest: [{ paths: ["weights.bin"], weights: topology.weightSpecs }],
    };
    await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
}

async function fsyncTree(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      await fsyncTree(path);
      continue;
    }
    const file = await Deno.open(path, { read: true });
    try {
      await file.sync();
    } finally {
      file.close();
    }
  }
}

/**
 * Load a model folder written by {@linkcode saveModel}.
 *
 * @throws Error naming the folder and what is wrong (missing file, bad JSON, other format).
 *
 * @example A missing folder says what to do
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadModel } from "./model_io.ts";
 *
 * await assert.rejects(loadModel("no/such/model"), /No facefit model at "no\/such\/model".*train one/);
 * ```
 */
export async function loadModel(dir: string): Promise<SavedModel> {
  const info = checkInfo(dir, await readJson<unknown>(dir, "facefit.json"));
  const head = await readLayersModel(dir, dir);
  const outputs = (head.outputs[0].shape as number[])[1];
  const inputs = head.inputs.length === 1 ? (head.inputs[0].shape as number[])[1] : undefined;
  if (outputs !== info.labels.length) {
    head.dispose();
    throw new Error(
      `Model "${dir}" is damaged: the network has ${outputs} outputs but facefit.json lists ${info.labels.length} labels; retrain it`,
    );
  }
  if (inputs !== info.embedding.size) {
    head.dispose();
    throw new Error(
      `Model "${dir}" is damaged: the network takes ${inputs} inputs but facefit.json says the ` +
        `embedding has ${info.embedding.size}; retrain it`,
    );
  }
  try {
    // A topology can build and still not run (an edited dtype, say): find out now, not in predict.
    tf.tidy(() => {
      head.predict(tf.zeros([1, info.embedding.size]));
    });
  } catch (error) {
    head.dispose();
    throw new Error(
      `Model "${dir}" is damaged: the network does not run on an embedding (${
        errorText(error)
      }); retrain it`,
    );
  }
  let backbone: tf.LayersModel | undefined;
  if (info.fineTune) {
    try {
      backbone = await readLayersModel(join(dir, BACKBONE_DIR), dir);
    } catch (error) {
      head.dispose();
      throw error;
    }
  }
  let metrics: Record<string, unknown> | undefined;
  try {
    metrics = JSON.parse(await Deno.readTextFile(join(dir, "metrics.json")));
  } catch {
    metrics = undefined;
  }
  return { head, info, backbone, metrics };
}

/** Read `model.json` + weights from a folder; `modelDir` names the model in messages. */
async function readLayersModel(dir: string, modelDir: string): Promise<tf.LayersModel> {
  const where = dir === modelDir ? "" : ` (${basename(dir)}/)`;
  let manifest: LayersManifest;
  try {
    manifest = checkManifest(await readJson<unknown>(dir, "model.json", modelDir));
  } catch (error) {
    if (!(error instanceof Error) || error.message.startsWith("model.json")) {
      throw new Error(`Model "${modelDir}" is damaged${where}: ${errorText(error)}; retrain it`);
    }
    throw error;
  }
  const parts: Uint8Array[] = [];
  for (const p of manifest.paths) {
    try {
      parts.push(await Deno.readFile(join(dir, p)));
    } catch (error) {
      throw new Error(
        `Model "${modelDir}" is incomplete${where}: cannot read "${p}" (${
          errorText(error)
        }); retrain it`,
      );
    }
  }
  const weightData = concatBytes(parts);
  if (weightData.byteLength !== manifest.bytes) {
    throw new Error(
      `Model "${modelDir}" is damaged${where}: weights.bin has ${weightData.byteLength} bytes, model.json expects ${manifest.bytes}; retrain it`,
    );
  }
  return await buildLayersModel(manifest, weightData, `Model "${modelDir}"${where}`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readJson<T>(dir: string, file: string, modelDir = dir): Promise<T> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      if (dir === modelDir && file === "facefit.json") {
        const left = await leftBehind(modelDir);
        throw new Error(
          left
            ? `No facefit model at "${modelDir}": "${file}" is missing, but a save that was cut ` +
              `short left the previous model in "${left}"; rename that folder to "${modelDir}"`
            : `No facefit model at "${modelDir}": "${file}" is missing; train one with "deno task train --model ${modelDir}"`,
        );
      }
      throw new Error(`Model "${modelDir}" is incomplete: "${path}" is missing; retrain it`);
    }
    throw new Error(`Cannot read "${path}": ${error instanceof Error ? error.message : error}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(
      `Model "${modelDir}" is damaged: "${file}" is not valid JSON (${
        error instanceof Error ? error.message : error
      }); retrain it`,
    );
  }
}

/**
 * The previous model that {@linkcode saveModel} moved aside, when the process died between its two
 * renames (a crash or a kill, never a handled interrupt).
 */
async function leftBehind(modelDir: string): Promise<string | undefined> {
  const prefix = `.${basename(modelDir)}.old-`;
  try {
    for await (const e of Deno.readDir(dirname(modelDir))) {
      const path = join(dirname(modelDir), e.name);
      if (e.isDirectory && e.name.startsWith(prefix)) {
        if (await Deno.stat(join(path, "facefit.json")).then(() => true, () => false)) return path;
      }
    }
  } catch {
    // no parent folder, or it cannot be listed: nothing to suggest
  }
  return undefined;
}

/**
 * facefit.json as a {@linkcode ModelInfo}, after checking every field that recognition reads:
 * a damaged or hand-edited file fails here with the field named, never later with a TypeError.
 */
function checkInfo(dir: string, value: unknown): ModelInfo {
  const damaged = (what: string) =>
    new Error(`Model "${dir}" is damaged: facefit.json ${what}; retrain it`);
  if (!isObject(value)) throw damaged("does not hold an object");
  if (value.format !== MODEL_FORMAT) {
    throw new Error(
      `Model "${dir}" has format ${
        JSON.stringify(value.format)
      }, this facefit reads format ${MODEL_FORMAT}; retrain it`,
    );
  }
  const labels = value.labels;
  if (!Array.isArray(labels) || labels.length < 2) {
    throw damaged('lists no labels (it needs "labels": at least 2 names)');
  }
  if (!labels.every((l) => typeof l === "string" && l !== "")) {
    throw damaged('has a label that is not a name in "labels"');
  }
  if (new Set(labels).size !== labels.length) throw damaged('lists a label twice in "labels"');
  if (typeof value.backbone !== "string") throw damaged('has no "backbone" id');
  const size = isObject(value.embedding) ? value.embedding.size : undefined;
  if (!Number.isInteger(size) || (size as number) < 1) {
    throw damaged('has no embedding size ("embedding": { "size": N })');
  }
  if (!isObject(value.threshold) || !Number.isFinite(value.threshold.value)) {
    throw damaged('has no threshold ("threshold": { "value": X })');
  }
  if (value.fineTune !== undefined) {
    if (!isObject(value.fineTune) || typeof value.fineTune.baseBackbone !== "string") {
      throw damaged('has a "fineTune" without its "baseBackbone"');
    }
  }
  if (value.openSet !== undefined) {
    const o = value.openSet;
    if (!isObject(o) || !isObject(o.people) || !isObject(o.centroids)) {
      throw damaged('has an "openSet" without "people" and "centroids"');
    }
    for (const [name, p] of Object.entries(o.people)) {
      if (!isObject(p) || !Number.isFinite(p.threshold)) {
        throw damaged(`has no open-set threshold for "${name}"`);
      }
    }
    for (const [name, c] of Object.entries(o.centroids)) {
      if (!Array.isArray(c) || c.length !== size || !c.every(Number.isFinite)) {
        throw damaged(`has a broken open-set centroid for "${name}" (${size} numbers expected)`);
      }
    }
  }
  return value as unknown as ModelInfo;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
