/**
 * Read an unsorted photo library: every photo under a folder, at any depth, with no labels.
 *
 * @module
 */
import { relative } from "node:path";
import { photosUnder, type SkippedFile } from "./scan.ts";

/** One photo of a library. */
export interface LibraryFile {
  /** Path as given (root joined with the relative path). */
  path: string;
  /** Path relative to the library root, for messages and reports. */
  name: string;
}

/** The photos of a library, and what could not be read. */
export interface Library {
  /** The scanned folder, as given. */
  root: string;
  /** Every photo, in path order. */
  files: LibraryFile[];
  /** Entries that could not be read: unreadable folders, symlink loops, links to nothing. */
  skipped: SkippedFile[];
}

/**
 * Every photo under `root`, at any depth (hidden files and folders, and files that are certainly
 * not photos, are left out; the format of the rest comes from their bytes when they are read).
 *
 * @throws Error when `root` is missing or not a folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanLibrary } from "./library.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/2024/summer`, { recursive: true });
 * for (const file of ["a.jpg", "2024/b.png", "2024/summer/c.webp", "notes.txt"]) {
 *   await Deno.writeFile(`${root}/${file}`, new Uint8Array(8)); // scanning does not read photos
 * }
 * const library = await scanLibrary(root);
 * assert.deepEqual(library.files.map((f) => f.name), ["2024/b.png", "2024/summer/c.webp", "a.jpg"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function scanLibrary(root: string): Promise<Library> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (error) {
    throw new Error(
      `Cannot read photo library "${root}": ${
        error instanceof Error ? error.message : error
      }; give a folder of photos`,
    );
  }
  if (!info.isDirectory) {
    throw new Error(
      `Photo library "${root}" is not a folder; give the folder that holds the photos`,
    );
  }
  const skipped: SkippedFile[] = [];
  const paths = await photosUnder(root, skipped);
  return { root, files: paths.map((path) => ({ path, name: relative(root, path) })), skipped };
}
