/**
 * The map step of a library analysis: decode, detect, align and embed the photos of one shard
 * into the content-addressed cache, so that the commands that need every photo (train, evaluate,
 * audit, cluster, tag) answer from the cache afterwards.
 *
 * Nothing here coordinates with other processes: a photo's shard comes from its content hash, and
 * every cache entry is written to a temporary file and renamed into place, so processes on many
 * machines can share one cache folder on a shared file system.
 *
 * @module
 */
import { sha256Hex } from "../dataset/cache.ts";
import type { LabelledFile } from "../dataset/scan.ts";
import type { FaceAnalyzer } from "../embed/photo.ts";
import { readImageBytes } from "../image/mod.ts";
import type { FailedFile, StepProgress } from "../train/collect.ts";
import { inShard, type Shard } from "./shard.ts";

/** Per-call options of {@linkcode analyzeLibrary}. */
export interface AnalyzeOptions {
  /** Analyse only the photos whose content hash falls in this shard; default: every photo. */
  shard?: Shard;
  /** Hears of every photo of the library, in this shard or not. */
  onProgress?: (p: StepProgress) => void;
}

/** What {@linkcode analyzeLibrary} did. */
export interface AnalyzeSummary {
  /** The shard analysed; undefined: the whole library. */
  shard: Shard | undefined;
  /** Photos in the library (every shard). */
  photos: number;
  /** Photos that fall in this shard (all of them without a shard), unreadable ones included. */
  inShard: number;
  /** Photos analysed afresh and written to the cache. */
  analyzed: number;
  /** Photos whose analysis was in the cache already. */
  cached: number;
  /** Byte-identical copies of a photo of this shard, analysed once with it. */
  copies: number;
  /** Photos that could not be read or decoded, and why (only this shard's, when they could be read). */
  failed: FailedFile[];
}

/**
 * Analyse the photos of one shard of a library into the analyzer's cache.
 *
 * A photo is read and hashed once: its content hash decides its shard and is its cache key, and
 * only this shard's photos are decoded. Copies of one photo share a hash, and so a shard; within a shard they are analysed once.
 *
 * @example Analyse shard 0 of 2 of a folder into a cache
 * ```ts ignore
 * import { analyzeLibrary, FaceAnalyzer, initBackend, scanLibrary } from "./mod.ts";
 *
 * await initBackend("wasm");
 * const analyzer = await FaceAnalyzer.load({ cacheDir: "/shared/facefit-cache", workers: 2 });
 * const { files } = await scanLibrary("/shared/photos");
 * const summary = await analyzeLibrary(analyzer, files, { shard: { index: 0, count: 2 } });
 * console.log(`${summary.analyzed} analysed, ${summary.cached} already cached`);
 * analyzer.dispose();
 * ```
 */
export async function analyzeLibrary(
  analyzer: FaceAnalyzer,
  files: readonly LabelledFile[],
  options: AnalyzeOptions = {},
): Promise<AnalyzeSummary> {
  const { shard, onProgress } = options;
  const before = { ...analyzer.stats };
  const summary: AnalyzeSummary = {
    shard,
    photos: files.length,
    inShard: 0,
    analyzed: 0,
    cached: 0,
    copies: 0,
    failed: [],
  };
  // Photos of this shard by content hash: a copy of a photo in flight waits for it.
  const seen = new Map<string, Promise<unknown>>();
  const step = "faces";
  let next = 0, done = 0;
  const photo = async (file: LabelledFile): Promise<string | undefined> => {
    let bytes: Uint8Array;
    try {
      bytes = await readImageBytes(file.path);
    } catch (error) {
      // Unreadable: no hash, so no shard. The first shard reports it, so that it is told once.
      if (!shard || shard.index === 0) {
        summary.inShard++;
        return reason(error);
      }
      return undefined;
    }
    const hash = await sha256Hex(bytes);
    if (shard && !inShard(hash, shard)) return undefined;
    summary.inShard++;
    const first = seen.get(hash);
    if (first) {
      summary.copies++;
      await first.catch(() => {});
      return undefined;
    }
    const analysis = analyzer.analyzeFile(file.path, { bytes, sha256: hash });
    seen.set(hash, analysis);
    try {
      await analysis;
      return undefined;
    } catch (error) {
      return reason(error);
    }
  };
  const lane = async () => {
    while (next < files.length) {
      const file = files[next++];
      const error = await photo(file);
      if (error) summary.failed.push({ path: file.path, reason: error });
      onProgress?.({ step, done: ++done, total: files.length, file: file.path, error });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, analyzer.concurrency) }, lane));
  summary.analyzed = analyzer.stats.misses - before.misses;
  summary.cached = analyzer.stats.hits - before.hits;
  summary.failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return summary;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
