/**
 * The first pass of an audit: read every photo once, hash its bytes, sniff its format, and decode
 * it to a perceptual fingerprint (cached by content hash, like the face records).
 *
 * @module
 */
import { extname } from "node:path";
import { JsonCache, sha256Hex } from "../dataset/cache.ts";
import type { LabelledFile } from "../dataset/scan.ts";
import { decodeImage, type DecodeOptions, type ImageFormat, sniffFormat } from "../image/mod.ts";
import { describeUnsupported } from "../image/sniff.ts";
import type { StepProgress } from "../train/collect.ts";
import { fingerprintImage, type ImageFingerprint } from "./perceptual_hash.ts";

/** A photo of one split, labelled by its folder. */
export interface SplitFile extends LabelledFile {
  /** The split it belongs to, e.g. "train" or "val". */
  split: string;
}

/** What the audit knows about one file after reading it. */
export interface InventoryEntry extends SplitFile {
  /** SHA-256 of the bytes, hex; empty when the file could not be read. */
  sha256: string;
  /** File size in bytes. */
  bytes: number;
  /** Format from the bytes, or undefined when not an image format facefit knows. */
  format: ImageFormat | undefined;
  /** Pixels and hashes, or undefined when the file could not be decoded. */
  fingerprint: ImageFingerprint | undefined;
  /** Why the file cannot be used, when it cannot. */
  error: string | undefined;
}

/** Options of {@linkcode inventoryFiles}. */
export interface InventoryOptions {
  /** Decode photos to fingerprints (default true); false: only read, hash and sniff them. */
  fingerprint?: boolean;
  /** Fingerprint cache; undefined: decode every photo. */
  cache?: JsonCache<ImageFingerprint>;
  /** Decoding limits. */
  decode?: DecodeOptions;
  /** Progress, one call per file. */
  onProgress?: (p: StepProgress) => void;
}

/** Version of the fingerprint cache entries: change it when the hashes change. */
export const FINGERPRINT_CACHE_VERSION = "audit-fingerprint-v3";

/** A fingerprint cache under a cache root (the same root the face records use). */
export function fingerprintCache(root: string): JsonCache<ImageFingerprint> {
  return new JsonCache<ImageFingerprint>(root, FINGERPRINT_CACHE_VERSION);
}

/** The formats that file extensions promise, for spotting a file whose name lies. */
const EXTENSION_FORMATS: Record<string, ImageFormat> = {
  ".jpg": "jpeg",
  ".jpeg": "jpeg",
  ".jpe": "jpeg",
  ".jfif": "jpeg",
  ".png": "png",
  ".gif": "gif",
  ".tif": "tiff",
  ".tiff": "tiff",
  ".webp": "webp",
  ".bmp": "bmp",
  ".pbm": "pnm",
  ".pgm": "pnm",
  ".ppm": "pnm",
  ".pnm": "pnm",
};

/**
 * The format a file's extension promises: a format, `"none"` for no extension, or `"unknown"`.
 */
export function extensionFormat(path: string): ImageFormat | "none" | "unknown" {
  const ext = extname(path).toLowerCase();
  if (ext === "") return "none";
  return EXTENSION_FORMATS[ext] ?? "unknown";
}

/**
 * Read, hash and fingerprint files in order. A file that cannot be read or decoded is kept with
 * its `error`; identical bytes are decoded once.
 */
export async function inventoryFiles(
  files: readonly SplitFile[],
  options: InventoryOptions = {},
): Promise<{ entries: InventoryEntry[]; cache: { hits: number; misses: number } }> {
  const entries: InventoryEntry[] = [];
  const known = new Map<string, ImageFingerprint | string>();
  const stats = { hits: 0, misses: 0 };
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const entry: InventoryEntry = {
      ...file,
      sha256: "",
      bytes: 0,
      format: undefined,
      fingerprint: undefined,
      error: undefined,
    };
    let cached = false;
    try {
      const bytes = await Deno.readFile(file.path);
      entry.bytes = bytes.length;
      entry.sha256 = await sha256Hex(bytes);
      entry.format = sniffFormat(bytes);
      if (options.fingerprint === false) {
        if (bytes.length === 0) {
          entry.error = "the file is empty (0 bytes); re-download it or remove it";
        } else if (entry.format === undefined) entry.error = describeUnsupported(bytes);
      } else {
        let result = known.get(entry.sha256) ??
          validFingerprint(await options.cache?.get(entry.sha256));
        cached = result !== undefined;
        if (result === undefined) {
          stats.misses++;
          result = await fingerprintBytes(bytes, file.path, options.decode);
          if (typeof result !== "string") await options.cache?.set(entry.sha256, result);
        } else if (!known.has(entry.sha256)) {
          stats.hits++;
        }
        known.set(entry.sha256, result);
        if (typeof result === "string") entry.error = result;
        else entry.fingerprint = result;
      }
    } catch (error) {
      entry.error = `cannot read the file: ${
        error instanceof Error ? error.message : error
      }; check its permissions`;
    }
    entries.push(entry);
    options.onProgress?.({
      step: "hashes",
      done: i + 1,
      total: files.length,
      file: file.path,
      cached,
      error: entry.error,
    });
  }
  return { entries, cache: stats };
}

/** A cached value if it has the fields of this version, else undefined (a damaged entry is a miss). */
function validFingerprint(v: ImageFingerprint | undefined): ImageFingerprint | undefined {
  const ok = v !== undefined && typeof v === "object" && typeof v.dHash === "string" &&
    typeof v.pHash === "string" &&
    typeof v.width === "number" && typeof v.height === "number" &&
    typeof v.thumbnail?.base64 === "string";
  return ok ? v : undefined;
}

/** A fingerprint, or the reason the bytes cannot be decoded. */
async function fingerprintBytes(
  bytes: Uint8Array,
  path: string,
  decode: DecodeOptions | undefined,
): Promise<ImageFingerprint | string> {
  try {
    return fingerprintImage(await decodeImage(bytes, { ...decode, path }));
  } catch (error) {
    // Keep the decoder's reason without the path: the report names the file anyway.
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === "string") return reason;
    return error instanceof Error ? error.message : String(error);
  }
}
