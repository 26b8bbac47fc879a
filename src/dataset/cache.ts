/**
 * A content-addressed cache on disk: values are keyed by the SHA-256 of a file's bytes and a
 * version string, so a renamed photo still hits and a new model never reads stale entries.
 *
 * @module
 */
import { join } from "node:path";

/** SHA-256 of some bytes, as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The default cache folder: `$FACEFIT_CACHE`, else `$XDG_CACHE_HOME/facefit`, else `~/.cache/facefit`. */
export function defaultCacheDir(): string {
  const env = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // no --allow-env: fall through to the next choice
    }
  };
  const explicit = env("FACEFIT_CACHE");
  if (explicit) return explicit;
  const xdg = env("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "facefit");
  const home = env("HOME") ?? env("USERPROFILE");
  return home ? join(home, ".cache", "facefit") : join(".cache", "facefit");
}

/** A JSON value store in a folder, one file per key; writes are atomic (temp file, then rename). */
export class JsonCache<T> {
  readonly dir: string;

  /**
   * @param root the cache root folder.
   * @param version entries written under another version are never read.
   */
  constructor(root: string, version: string) {
    this.dir = join(root, version.replace(/[^A-Za-z0-9._-]+/g, "_"));
  }

  #path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The stored value, or undefined when absent or unreadable (a damaged entry is a miss). */
  async get(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await Deno.readTextFile(this.#path(key))) as T;
    } catch {
      return undefined;
    }
  }

  /** Store a value. Failures (read-only disk, no permission) are returned, not thrown: a cache is optional. */
  async set(key: string, value: T): Promise<Error | undefined> {
    const path = this.#path(key);
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await Deno.writeTextFile(tmp, JSON.stringify(value));
      await Deno.rename(tmp, path);
      return undefined;
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}
