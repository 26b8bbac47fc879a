/**
 * Read a folder-per-person photo collection: `<root>/<Person>/<photo>`.
 *
 * @module
 */
import { basename, join, relative } from "node:path";

/** One labelled photo. */
export interface LabelledFile {
  /** Path as given (root joined with the relative path). */
  path: string;
  /** Path relative to the dataset root, for messages and reports. */
  name: string;
  /** The person: the name of the folder holding the photo. */
  label: string;
}

/** A file that was not taken, and why. */
export interface SkippedFile {
  /** The file, as found under the dataset root. */
  path: string;
  /** Why it was not taken. */
  reason: string;
}

/** The result of scanning a dataset folder. */
export interface Dataset {
  /** The scanned folder, as given. */
  root: string;
  /** Person names, sorted. A person folder with no files is not listed here but in `warnings`. */
  labels: string[];
  /** Every photo of a person, in label then path order. */
  files: LabelledFile[];
  /** Photos of people outside the label set (the `_unknown/` folder). Never a label. */
  unknown: LabelledFile[];
  /** Entries that could not be read: unreadable folders, symlink loops. */
  skipped: SkippedFile[];
  /** Things a person should fix, e.g. an empty person folder. */
  warnings: string[];
}

/** The folder whose photos show strangers: negatives for calibration, never a class. */
export const UNKNOWN_FOLDER = "_unknown";

/** Extensions that are certainly not photos; everything else is tried (the format comes from the bytes). */
const NOT_IMAGES =
  /\.(txt|md|json|jsonl|csv|tsv|xml|xmp|html?|pdf|zip|db|ini|py|ts|js|sh)$|^\.|^thumbs\.db$|^desktop\.ini$/i;

/** Deepest folder level searched below a person's folder. */
const MAX_DEPTH = 8;

/** Deepest folder level searched in a library (year/month/day/event nest deeper than persons). */
const LIBRARY_MAX_DEPTH = 32;

/**
 * Scan a dataset folder. Photos may sit in sub-folders of a person's folder; hidden files and
 * folders are ignored; symlink loops and unreadable entries are reported in `skipped`.
 *
 * @throws Error when `root` is missing or not a folder.
 *
 * @example One folder per person
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanDataset } from "./scan.ts";
 *
 * const root = await Deno.makeTempDir();
 * for (const file of ["Ada/1.jpg", "Ada/2.jpg", "Bob/1.png"]) {
 *   await Deno.mkdir(`${root}/${file.split("/")[0]}`, { recursive: true });
 *   await Deno.writeFile(`${root}/${file}`, new Uint8Array(8)); // scanning does not read photos
 * }
 * const dataset = await scanDataset(root);
 * assert.deepEqual(dataset.labels, ["Ada", "Bob"]);
 * assert.equal(dataset.files.length, 3);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function scanDataset(root: string): Promise<Dataset> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (error) {
    throw new Error(
      `Cannot read dataset folder "${root}": ${error instanceof Error ? error.message : error}; ` +
        "give a folder with one sub-folder per person",
    );
  }
  if (!info.isDirectory) {
    throw new Error(
      `Dataset "${root}" is not a folder; give a folder with one sub-folder per person`,
    );
  }
  const files: LabelledFile[] = [];
  const unknown: LabelledFile[] = [];
  const skipped: SkippedFile[] = [];
  const warnings: string[] = [];
  const labels: string[] = [];
  for (const entry of await sortedEntries(root)) {
    const path = join(root, entry.name);
    if (entry.name.startsWith(".")) continue;
    const isDir = await isDirectory(path, skipped);
    if (!isDir) {
      if (isDir === false && !NOT_IMAGES.test(entry.name)) {
        warnings.push(
          `Ignored "${entry.name}" at the top of "${root}": photos go in a folder per person`,
        );
      }
      continue;
    }
    const found: LabelledFile[] = [];
    const label = entry.name;
    await walk(path, 0, {
      seen: new Set(),
      excluded: new Set(),
      maxDepth: MAX_DEPTH,
      add: (p) => found.push({ path: p, name: relative(root, p), label }),
      skipped,
    });
    if (label === UNKNOWN_FOLDER) {
      unknown.push(...found);
    } else if (label.startsWith("_")) {
      warnings.push(`Ignored folder "${label}": names starting with "_" are reserved`);
    } else if (found.length === 0) {
      warnings.push(`Person folder "${label}" holds no photos`);
    } else {
      labels.push(label);
      files.push(...found);
    }
  }
  return { root, labels, files, unknown, skipped, warnings };
}

/** A walk through folders: what was seen, what to leave out, how deep, where files and failures go. */
interface Walk {
  /** Real paths of the folders on the current path (a folder seen again is a symlink loop). */
  seen: Set<string>;
  /** Real paths of folders left out on purpose, silently. */
  excluded: ReadonlySet<string>;
  maxDepth: number;
  add: (path: string) => void;
  skipped: SkippedFile[];
}

async function walk(dir: string, depth: number, w: Walk): Promise<void> {
  let real: string;
  try {
    real = await Deno.realPath(dir);
  } catch (error) {
    w.skipped.push({ path: dir, reason: `cannot resolve folder: ${message(error)}` });
    return;
  }
  if (w.excluded.has(real)) return;
  if (w.seen.has(real)) {
    w.skipped.push({
      path: dir,
      reason: "symlink loop: this folder was already visited; remove the link",
    });
    return;
  }
  if (depth > w.maxDepth) {
    w.skipped.push({ path: dir, reason: `nested deeper than ${w.maxDepth} folders` });
    return;
  }
  w.seen.add(real);
  let entries: Deno.DirEntry[];
  try {
    entries = await sortedEntries(dir);
  } catch (error) {
    w.skipped.push({ path: dir, reason: `cannot list folder: ${message(error)}` });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(".") || NOT_IMAGES.test(basename(entry.name))) continue;
    const path = join(dir, entry.name);
    const isDir = await isDirectory(path, w.skipped);
    if (isDir) {
      await walk(path, depth + 1, w);
    } else if (isDir === false && (entry.isFile || entry.isSymlink)) {
      w.add(path);
    }
  }
  w.seen.delete(real);
}

/** Whether `path` (followed through links) is a folder; undefined, and skipped, when unreadable. */
async function isDirectory(path: string, skipped: SkippedFile[]): Promise<boolean | undefined> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    skipped.push({
      path,
      reason: error instanceof Deno.errors.FilesystemLoop
        ? "a symbolic link that leads back to itself (a loop); fix or remove the link"
        : error instanceof Deno.errors.NotFound
        ? "a symbolic link to nothing; fix or remove the link"
        : `cannot read: ${message(error)}`,
    });
    return undefined;
  }
}

async function sortedEntries(dir: string): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The photos of an unlabelled library. */
export interface Library {
  /** The scanned folder, as given. */
  root: string;
  /** Every file that may be a photo, in path order; `label` is empty (nobody is known yet). */
  files: LabelledFile[];
  /** Entries that could not be read: unreadable folders, symlink loops. */
  skipped: SkippedFile[];
}

/**
 * Scan an unlabelled photo library: every file under `root`, in sub-folders too (hidden ones
 * ignored), sorted by path.
 *
 * @param exclude folders under `root` to leave out (e.g. an output folder inside the library).
 * @throws Error when `root` is missing or not a folder.
 */
export async function scanLibrary(root: string, exclude: readonly string[] = []): Promise<Library> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (error) {
    throw new Error(
      `Cannot read photo library "${root}": ${message(error)}; give a folder of photos`,
    );
  }
  if (!info.isDirectory) {
    throw new Error(`Photo library "${root}" is not a folder; give a folder of photos`);
  }
  const excluded = await Promise.all(exclude.map(async (p) => {
    try {
      return await Deno.realPath(p);
    } catch {
      return undefined;
    }
  }));
  const files: LabelledFile[] = [];
  const skipped: SkippedFile[] = [];
  await walk(root, 0, {
    seen: new Set(),
    excluded: new Set(excluded.filter((p): p is string => p !== undefined)),
    maxDepth: LIBRARY_MAX_DEPTH,
    add: (p) => files.push({ path: p, name: relative(root, p), label: "" }),
    skipped,
  });
  return { root, files, skipped };
}
