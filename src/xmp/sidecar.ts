/**
 * Find, read and atomically write XMP sidecars. facefit writes `photo.jpg.xmp` (the name
 * digiKam, darktable and exiftool's `%f.%e.xmp` use), and reads `photo.xmp` (Lightroom's) when
 * there is no `photo.jpg.xmp`. The photo itself is only ever read.
 *
 * @module
 */
import { basename, dirname, extname, join } from "node:path";

/** The sidecar facefit writes for a photo: the photo's name plus `.xmp`. */
export function sidecarPath(photo: string): string {
  return `${photo}.xmp`;
}

/** The sidecars a photo may have, in the order they are read. */
export function sidecarCandidates(photo: string): string[] {
  const ext = extname(photo);
  const bare = ext ? photo.slice(0, -ext.length) : undefined;
  return [
    `${photo}.xmp`,
    `${photo}.XMP`,
    ...(bare ? [`${bare}.xmp`, `${bare}.XMP`] : []),
  ];
}

/** A sidecar's path and text. */
export interface Sidecar {
  /** Where it was read from. */
  path: string;
  /** Its text. */
  text: string;
}

/**
 * The photo's sidecar: `photo.ext.xmp`, else `photo.xmp`; undefined when there is none.
 *
 * @throws Error naming the file when a sidecar exists but cannot be read.
 */
export async function readSidecar(photo: string): Promise<Sidecar | undefined> {
  for (const path of sidecarCandidates(photo)) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
        continue;
      }
      throw new Error(
        `Cannot read the sidecar "${path}": ${error instanceof Error ? error.message : error}`,
      );
    }
    return { path, text };
  }
  return undefined;
}

/**
 * Write a file atomically: a temporary file beside it, then a rename, so that a reader (or a
 * Ctrl-C) only ever sees the old file or the new one.
 *
 * @throws Error naming the file when it cannot be written; the temporary file is removed.
 */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(
      `Cannot write "${path}": ${error instanceof Error ? error.message : error}; ` +
        "check that the folder is writable",
    );
  }
}
