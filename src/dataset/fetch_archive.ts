/**
 * Get a public photo collection as a zip archive and unpack chosen folders of it.
 *
 * @module
 */
import { unzipSync } from "npm:fflate@0.8.3";
import { dirname, join, normalize } from "node:path";

/**
 * Unpack the entries of a zip whose path (after its first folder, as GitHub archives have one)
 * starts with one of `folders`, into `dest`.
 *
 * @returns the number of files written.
 * @throws Error when the archive is not a zip, or an entry would land outside `dest`.
 */
export async function unpackFolders(
  zip: Uint8Array,
  folders: readonly string[],
  dest: string,
): Promise<number> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (f) => folders.some((d) => stripTop(f.name).startsWith(`${d}/`)),
    });
  } catch (error) {
    throw new Error(`Cannot unpack the archive: ${error instanceof Error ? error.message : error}`);
  }
  let written = 0;
  for (const [name, bytes] of Object.entries(entries)) {
    const rel = normalize(stripTop(name));
    if (name.endsWith("/") || rel.startsWith("..") || rel.startsWith("/")) continue;
    const path = join(dest, rel);
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeFile(path, bytes);
    written++;
  }
  return written;
}

function stripTop(name: string): string {
  const i = name.indexOf("/");
  return i >= 0 ? name.slice(i + 1) : name;
}

/**
 * Download a zip archive.
 *
 * @throws Error naming the URL, with the hint to use a local copy.
 */
export async function download(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(
      `Cannot download "${url}": ${error instanceof Error ? error.message : error}; ` +
        "without internet, pass a local copy with --from DIR",
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(
      `Cannot download "${url}": HTTP ${response.status}; pass a local copy with --from DIR`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}
