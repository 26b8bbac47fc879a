/**
 * Name the faces of every photo in a library, and write them where photo managers read them:
 * MWG face regions and `PersonInImage` in an XMP sidecar beside each photo.
 *
 * A record of what was done (one JSON line per photo: its size, time, content hash, the model and
 * the faces) goes to a state file, `.facefit-tag.jsonl` at the library's top by default. A second
 * run skips every photo whose record matches (same size and time, or same content, same model,
 * sidecar still there), so it does only new or changed photos; the record is appended after the
 * sidecar is in place, so an interrupted run at worst does a photo again.
 *
 * @module
 */
import { join, relative } from "node:path";
import { sha256Hex } from "../dataset/cache.ts";
import { scanLibrary } from "../dataset/scan.ts";
import type { Box } from "../face/geometry.ts";
import { type Recognizer, UNKNOWN } from "../head/recognizer.ts";
import { readImageBytes } from "../image/decode.ts";
import type { Orientation } from "../image/exif.ts";
import { embeddedXmp } from "./embedded.ts";
import { EMPTY_XMP, mergeRegions } from "./merge.ts";
import { photoGeometry } from "./photo.ts";
import { parseXmp } from "./rdf.ts";
import { readSidecar, sidecarPath, writeAtomic } from "./sidecar.ts";

/** The default state file, at the top of the library. */
export const STATE_FILE = ".facefit-tag.jsonl";

/** One face of a tagged photo. */
export interface TaggedFace {
  /** The person, or "unknown" (such a face gets no region). */
  name: string;
  /** The face's box in the upright photo's pixels. */
  box: Box;
  /** The head's probability for its best guess. */
  probability: number;
  /** Distance to the best guess's centroid (absent for a model without open-set calibration). */
  distance?: number;
  /** The threshold the face was held to. */
  threshold: number;
  /** The best guess, also for an unknown face. */
  bestGuess: string;
}

/** One photo's line: what `tag` found and did, as written to the state file and `--jsonl`. */
export interface TaggedPhoto {
  /** The photo, relative to the library. */
  file: string;
  /** SHA-256 of the photo's bytes. */
  sha256: string;
  /** File size in bytes, part of the resume check. */
  size: number;
  /** Modification time in ms, part of the resume check. */
  mtimeMs: number;
  /** The model's id (see {@linkcode modelId}). */
  model: string;
  /** Width of the upright photo. */
  width: number;
  /** Height of the upright photo. */
  height: number;
  /** The photo's EXIF orientation. */
  orientation: Orientation;
  /** Every face found, named or unknown. */
  faces: TaggedFace[];
  /** The sidecar written or already up to date (with `xmp`), relative to the library; absent when none was needed. */
  sidecar?: string;
  /** True on a line reused from the state file: nothing was done this run. */
  unchanged?: boolean;
}

/** A photo that could not be tagged, and why. */
export interface TagFailure {
  /** The photo. */
  path: string;
  /** Why. */
  reason: string;
}

/** Progress of a tagging run. */
export interface TagProgress {
  /** "tag". */
  step: string;
  /** Photos finished, this one included. */
  done: number;
  /** Photos in the run. */
  total: number;
  /** The photo just finished. */
  file: string;
  /** Whether it was skipped as unchanged. */
  cached?: boolean;
  /** Why it failed, when it did. */
  error?: string;
}

/** The model to tag with: its id, and how to load it (only when a photo needs it). */
export interface TagModel {
  /** Identifies the model and settings; a photo tagged with another id is done again. */
  id: string;
  /** Loads the recogniser; called once, at the first photo that is not unchanged. */
  load: () => Promise<Recognizer>;
}

/** Per-run options. */
export interface TagOptions {
  /** Write XMP sidecars (default false: only the lines). */
  xmp?: boolean;
  /** State file for resuming; default `LIBRARY/.facefit-tag.jsonl`; false: none (do every photo). */
  state?: string | false;
  /** One distance threshold for everyone instead of the model's. */
  threshold?: number;
  /** Receives every photo's line, done or unchanged, as soon as it is known. */
  onPhoto?: (line: TaggedPhoto) => void | Promise<void>;
  /** Progress. */
  onProgress?: (p: TagProgress) => void;
  /** Abort: no new photo is started; those under way finish and are recorded. */
  signal?: AbortSignal;
}

/** What a run did. */
export interface TagSummary {
  /** Photos found. */
  photos: number;
  /** Photos analysed and tagged this run. */
  tagged: number;
  /** Photos skipped because their record matched. */
  unchanged: number;
  /** Photos that could not be tagged (and files that could not be listed). */
  failed: TagFailure[];
  /** Sidecars created or changed. */
  sidecarsWritten: number;
  /** Faces found in the photos tagged this run, and how many were named. */
  faces: { found: number; named: number };
  /** Whether the run stopped early (the signal). */
  aborted: boolean;
  /** Why no state file could be kept (e.g. a read-only library): every photo is done each run. */
  stateError?: string;
  /** The state file, when one was kept. */
  state?: string;
}

/**
 * The id of a model folder: the start of the SHA-256 of its `facefit.json` (which holds its
 * people, thresholds and centroids, and the backbone it reads).
 */
export async function modelId(modelDir: string): Promise<string> {
  const bytes = await Deno.readFile(join(modelDir, "facefit.json"));
  return (await sha256Hex(bytes)).slice(0, 16);
}

/**
 * Tag every photo under `root` (recursively): name its faces and, with `xmp`, merge MWG face
 * regions for the named ones into its sidecar (see merge.ts; unknown faces get no region).
 *
 * @example Tag a library with a trained model
 * ```ts ignore
 * import { initBackend, modelId, Recognizer, tagLibrary } from "../../mod.ts";
 *
 * await initBackend("auto");
 * const model = { id: await modelId("models/friends"), load: () => Recognizer.load("models/friends") };
 * const summary = await tagLibrary("Pictures", model, {
 *   xmp: true,
 *   onPhoto: (line) => console.log(line.file, line.faces.map((f) => f.name)),
 * });
 * console.log(`${summary.tagged} tagged, ${summary.unchanged} unchanged`);
 * ```
 */
export async function tagLibrary(
  root: string,
  model: TagModel,
  options: TagOptions = {},
): Promise<TagSummary> {
  const library = await scanLibrary(root);
  const files = library.files.map((f) => f.path), skipped = library.skipped;
  let statePath = options.state === false ? undefined : options.state ?? join(root, STATE_FILE);
  const runId = options.threshold === undefined ? model.id : `${model.id}@${options.threshold}`;
  const previous = statePath ? await readState(statePath) : new Map<string, TaggedPhoto>();
  const summary: TagSummary = {
    photos: files.length,
    tagged: 0,
    unchanged: 0,
    failed: skipped.map((s) => ({ path: s.path, reason: s.reason })),
    sidecarsWritten: 0,
    faces: { found: 0, named: 0 },
    aborted: false,
    ...(statePath ? { state: statePath } : {}),
  };
  const current = new Map<string, TaggedPhoto>();
  let log: Awaited<ReturnType<typeof openLog>> | undefined;
  try {
    log = statePath ? await openLog(statePath) : undefined;
  } catch (error) {
    // A read-only library can still be tagged to --jsonl; it just cannot be resumed.
    summary.stateError = `Cannot write the state file "${statePath}": ${
      error instanceof Error ? error.message : error
    }; give --state FILE somewhere writable to resume`;
    delete summary.state;
    statePath = undefined;
  }
  let recognizer: Promise<Recognizer> | undefined;
  let done = 0;
  const finish = async (path: string, line: TaggedPhoto | undefined, error?: string) => {
    if (line) {
      current.set(line.file, line);
      if (!line.unchanged) await log?.append(line);
      await options.onPhoto?.(line);
    }
    if (error) summary.failed.push({ path, reason: error });
    options.onProgress?.({
      step: "tag",
      done: ++done,
      total: files.length,
      file: path,
      cached: line?.unchanged,
      error,
    });
  };
  try {
    // Unchanged photos first and in one pass: a warm run then never loads the networks.
    const pending: string[] = [];
    for (const path of files) {
      if (options.signal?.aborted) break;
      const file = relative(root, path);
      const reused = await reuse(root, path, previous.get(file), runId, options.xmp ?? false);
      if (reused) {
        summary.unchanged++;
        await finish(path, reused);
      } else pending.push(path);
    }
    let next = 0;
    const lane = async () => {
      while (next < pending.length && !options.signal?.aborted) {
        const path = pending[next++];
        try {
          const line = await tagPhoto(await recognizer!, root, path, runId, options, summary);
          summary.tagged++;
          await finish(path, line);
        } catch (error) {
          await finish(path, undefined, error instanceof Error ? error.message : String(error));
        }
      }
    };
    if (pending.length > 0) {
      recognizer = model.load();
      const lanes = Math.max(1, (await recognizer).analyzer.concurrency);
      await Promise.all(Array.from({ length: lanes }, lane));
    }
    summary.aborted = options.signal?.aborted ?? false;
  } finally {
    await log?.close();
    if (recognizer) (await recognizer.catch(() => undefined))?.dispose();
  }
  // Keep the state file to one line per photo: this run's, plus older lines of photos not reached.
  if (statePath) {
    for (const [file, line] of previous) {
      if (!current.has(file) && summary.aborted) current.set(file, line);
    }
    const lines = [...current.values()].map(({ unchanged: _, ...l }) => JSON.stringify(l) + "\n");
    await writeAtomic(statePath, lines.join(""));
  }
  return summary;
}

/** The record of a photo, when it still holds: same file (or same bytes), model and sidecar. */
async function reuse(
  root: string,
  path: string,
  line: TaggedPhoto | undefined,
  runId: string,
  xmp: boolean,
): Promise<TaggedPhoto | undefined> {
  if (!line || line.model !== runId) return undefined;
  const named = line.faces.some((f) => f.name !== UNKNOWN);
  if (xmp && named && !line.sidecar) return undefined;
  if (line.sidecar && !(await exists(join(root, line.sidecar)))) return undefined;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return undefined;
  }
  const mtimeMs = info.mtime?.getTime() ?? 0;
  if (info.size === line.size && mtimeMs === line.mtimeMs) return { ...line, unchanged: true };
  // Touched or copied, maybe not changed: the content decides.
  const sha256 = await sha256Hex(await Deno.readFile(path));
  return sha256 === line.sha256
    ? { ...line, size: info.size, mtimeMs, unchanged: true }
    : undefined;
}

async function tagPhoto(
  recognizer: Recognizer,
  root: string,
  path: string,
  runId: string,
  options: TagOptions,
  summary: TagSummary,
): Promise<TaggedPhoto> {
  const info = await Deno.stat(path);
  const bytes = await readImageBytes(path);
  const sha256 = await sha256Hex(bytes);
  // The bytes read here are the ones analysed: the photo is read and hashed once.
  const record = await recognizer.analyzer.analyzeFile(path, { bytes, sha256 });
  const recognition = await recognizer.recognizeRecord(record, { threshold: options.threshold });
  const orientation = photoGeometry(bytes)?.orientation ?? 1;
  const faces: TaggedFace[] = recognition.faces.map((f) => ({
    name: f.name,
    box: f.box,
    probability: round4(f.probability),
    ...(f.distance !== undefined ? { distance: round4(f.distance) } : {}),
    threshold: f.threshold,
    bestGuess: f.bestGuess,
  }));
  const named = faces.filter((f) => f.name !== UNKNOWN);
  summary.faces.found += faces.length;
  summary.faces.named += named.length;
  const photo = { orientation, width: recognition.width, height: recognition.height };
  let sidecar: string | undefined;
  if (options.xmp) {
    const existing = await readSidecar(path);
    if (existing || named.length > 0) {
      const base = existing?.text ?? seedFromPhoto(bytes);
      const merged = mergeRegions(base, {
        photo,
        model: runId,
        faces: named.map((f) => ({ name: f.name, box: f.box, distance: f.distance })),
      });
      sidecar = sidecarPath(path);
      if (merged !== existing?.text || existing.path !== sidecar) {
        await writeAtomic(sidecar, merged);
        summary.sidecarsWritten++;
      }
    }
  }
  return {
    file: relative(root, path),
    sha256,
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    model: runId,
    width: recognition.width,
    height: recognition.height,
    orientation,
    faces,
    ...(sidecar ? { sidecar: relative(root, sidecar) } : {}),
  };
}

/**
 * A new sidecar starts from the photo's embedded XMP, so that regions and names a person wrote
 * into the photo stay visible to tools that read the sidecar first; else from an empty packet.
 * A JPEG's extended XMP comes merged in, without `xmpNote:HasExtendedXMP` (see extended.ts): the
 * sidecar holds all of it, and names no data it lacks.
 */
function seedFromPhoto(bytes: Uint8Array): string | undefined {
  const embedded = embeddedXmp(bytes);
  if (embedded === undefined) return undefined;
  try {
    parseXmp(embedded);
  } catch {
    return EMPTY_XMP; // a broken embedded packet is not copied
  }
  // Embedded packets carry padding for in-place edits; a sidecar needs none.
  return embedded.replace(/\s{64,}(<\?xpacket end)/, "\n$1").replace(/\0+$/, "");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The state file's lines by photo; a damaged line (an interrupted append) is ignored. */
async function readState(path: string): Promise<Map<string, TaggedPhoto>> {
  const out = new Map<string, TaggedPhoto>();
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return out;
  }
  for (const row of text.split("\n")) {
    if (!row.trim()) continue;
    try {
      const line = JSON.parse(row) as TaggedPhoto;
      if (typeof line.file === "string" && typeof line.sha256 === "string") {
        out.set(line.file, line);
      }
    } catch {
      // ignored: the last line of an interrupted run
    }
  }
  return out;
}

async function openLog(path: string) {
  const file = await Deno.open(path, { append: true, create: true });
  const encoder = new TextEncoder();
  let chain = Promise.resolve();
  return {
    append(line: TaggedPhoto): Promise<void> {
      const { unchanged: _, ...record } = line;
      chain = chain.then(async () => {
        const bytes = encoder.encode(JSON.stringify(record) + "\n");
        for (let o = 0; o < bytes.length;) o += await file.write(bytes.subarray(o));
      });
      return chain;
    },
    async close() {
      await chain.catch(() => {});
      file.close();
    },
  };
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
