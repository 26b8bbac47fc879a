/**
 * The groups as a training folder: `DIR/person_001/`, `DIR/Grandma/`, ..., `DIR/_unsorted/`, one
 * entry per face, so that `facefit train --data DIR` trains on exactly those faces.
 *
 * Each entry is a symbolic link to the original photo (never a copy, never a move): the original
 * stays where it is, and the link's content hash is the photo's, so `train` finds every face in
 * the cache. A photo with several faces gets the chosen face's box in the link's name
 * (`NAME.face-X-Y-W-H.EXT`, see `dataset/face_marker.ts`), and `train` takes that face.
 *
 * The whole folder is written beside `DIR` and renamed into place, so a run that stops halfway
 * leaves the previous folder as it was.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { faceMarkerOf, type MarkedBox, markFace } from "../dataset/face_marker.ts";
import type { ClusterFace, Clustering } from "./library.ts";

/** Folder of the faces in no group: `train` ignores folders starting with "_". */
export const UNSORTED_FOLDER = "_unsorted";
/** The groups as JSON, in the output folder; also marks the folder as facefit's. */
export const CLUSTERS_JSON = "clusters.json";
/** The page of the groups, in the output folder. */
export const CLUSTERS_HTML = "clusters.html";

/**
 * A face's identity across runs: the original photo's absolute path, and its box when it has
 * company.
 *
 * @param box the face's box; undefined for the only face of a photo.
 */
export function faceKey(file: string, box: MarkedBox | undefined): string {
  const r = (v: number) => Math.max(0, Math.round(v));
  return `${resolve(file)}#${
    box ? `${r(box.x)}-${r(box.y)}-${r(box.width)}-${r(box.height)}` : ""
  }`;
}

/** The key of a face found by this run (see {@linkcode faceKey}). */
export function keyOfFace(face: ClusterFace): string {
  return faceKey(face.file, face.faces > 1 ? face.box : undefined);
}

/** The entry name of a face in its folder: the photo's path with "/" as "__", and its box if needed. */
export function entryName(face: ClusterFace): string {
  const flat = face.name.replaceAll("\\", "/").split("/").join("__");
  return face.faces > 1 ? markFace(flat, face.box) : flat;
}

/** One folder of a previous run, as a person may have renamed and edited it. */
export interface PreviousFolder {
  /** The folder's name now. */
  name: string;
  /** The keys of the faces it holds now (see {@linkcode faceKey}). */
  keys: Set<string>;
}

/**
 * Read the folders of a previous run in `dir`: their names, and which faces they hold.
 *
 * @returns undefined when `dir` does not exist or is empty.
 * @throws Error when `dir` holds something that facefit did not write (no clusters.json).
 */
export async function readPreviousLayout(dir: string): Promise<PreviousFolder[] | undefined> {
  const entries = await listOrUndefined(dir);
  if (!entries || entries.length === 0) return undefined;
  if (!entries.some((e) => e.name === CLUSTERS_JSON)) {
    throw new Error(
      `Output folder "${dir}" exists and was not written by "facefit cluster" (no ${CLUSTERS_JSON}); ` +
        "give a new or empty folder with --out",
    );
  }
  const folders: PreviousFolder[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    const keys = new Set<string>();
    for (const item of (await listOrUndefined(join(dir, entry.name))) ?? []) {
      if (!item.isSymlink) continue;
      let target: string;
      try {
        target = await Deno.readLink(join(dir, entry.name, item.name));
      } catch {
        continue;
      }
      keys.add(faceKey(resolve(dir, entry.name, target), faceMarkerOf(item.name)));
    }
    folders.push({ name: entry.name, keys });
  }
  return folders.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function listOrUndefined(dir: string): Promise<Deno.DirEntry[] | undefined> {
  try {
    const out: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) out.push(e);
    return out;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** What goes into the output folder besides the face links. */
export interface LayoutFiles {
  /** The JSON of the groups ({@linkcode CLUSTERS_JSON}). */
  json: string;
  /** The page ({@linkcode CLUSTERS_HTML}); none when undefined. */
  html?: string;
}

/**
 * Write the groups into `dir` as a training folder, replacing a previous run's folder there.
 *
 * @throws Error when `dir` holds something that facefit did not write.
 */
export async function writeLayout(
  dir: string,
  clustering: Clustering,
  files: LayoutFiles,
): Promise<void> {
  await readPreviousLayout(dir); // refuses a folder that is not ours
  const parent = dirname(resolve(dir));
  await Deno.mkdir(parent, { recursive: true });
  const stamp = `${Deno.pid}-${Date.now()}`;
  const fresh = join(parent, `.${basename(resolve(dir))}.new-${stamp}`);
  try {
    await Deno.mkdir(fresh);
    const folders: [string, number[]][] = clustering.groups.map((g) => [g.name, g.faces]);
    folders.push([UNSORTED_FOLDER, clustering.unsorted]);
    for (const [name, faces] of folders) await writeFolder(join(fresh, name), clustering, faces);
    await Deno.writeTextFile(join(fresh, CLUSTERS_JSON), files.json);
    if (files.html !== undefined) await Deno.writeTextFile(join(fresh, CLUSTERS_HTML), files.html);
    await swapInto(fresh, resolve(dir), stamp);
  } catch (error) {
    await Deno.remove(fresh, { recursive: true }).catch(() => {});
    throw error;
  }
}

async function writeFolder(folder: string, clustering: Clustering, faces: number[]): Promise<void> {
  await Deno.mkdir(folder);
  const used = new Set<string>();
  for (const i of faces) {
    const face = clustering.faces[i];
    let name = entryName(face);
    for (let n = 2; used.has(name); n++) name = `${n}~${entryName(face)}`;
    used.add(name);
    await Deno.symlink(resolve(face.file), join(folder, name));
  }
}

/** Put `fresh` where `dir` is: the old folder is moved aside first and removed last. */
async function swapInto(fresh: string, dir: string, stamp: string): Promise<void> {
  const old = join(dirname(dir), `.${basename(dir)}.old-${stamp}`);
  let moved = false;
  try {
    await Deno.rename(dir, old);
    moved = true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    await Deno.rename(fresh, dir);
  } catch (error) {
    if (moved) await Deno.rename(old, dir);
    throw error;
  }
  if (moved) await Deno.remove(old, { recursive: true });
}
