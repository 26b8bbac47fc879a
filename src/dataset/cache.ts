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

/** A value store in a folder, one file per key; writes are atomic (temp file, then rename). */
export class FileCache {
  readonly dir: string;

  /**
   * @param root the cache root folder.
   * @param version entries written under another version are never read.
   */
  constructor(root: string, version: string) {
    this.dir = join(root, version.replace(/[^A-Za-z0-9._-]+/g, "_"));
  }

  #path(key: string, ext: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.${ext}`);
  }

  /** The stored bytes, or undefined when absent or unreadable. */
  async getBytes(key: string, ext = "bin"): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(this.#path(key, ext));
    } catch {
      return undefined;
    }
  }

  /** Store bytes. Failures (read-only disk, no permission) are returned, not thrown: a cache is optional. */
  async setBytes(key: string, bytes: Uint8Array, ext = "bin"): Promise<Error | undefined> {
    const path = this.#path(key, ext);
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await Deno.writeFile(tmp, bytes);
      await Deno.rename(tmp, path);
      return undefined;
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

/** A JSON value store on top of {@linkcode FileCache}; a damaged entry reads as a miss. */
export class JsonCache<T> {
  readonly #files: FileCache;

  constructor(root: string, version: string) {
    this.#files = new FileCache(root, version);
  }

  /** The folder holding this cache's entries. */
  get dir(): string {
    return this.#files.dir;
  }

  /** The stored value, or undefined when absent or unreadable. */
  async get(key: string): Promise<T | undefined> {
    const bytes = await this.#files.getBytes(key, "json");
    if (!bytes) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as T;
    } catch {
      return undefined;
    }
  }

  /** Store a value; failures are returned, not thrown. */
  set(key: string, value: T): Promise<Error | undefined> {
    return this.#files.setBytes(key, new TextEncoder().encode(JSON.stringify(value)), "json");
  }
}
