/**
 * `facefit analyze LIBRARY [--shard K/N]`: the map step. Fills the cache with the analysis of
 * every photo of a library, or of one shard of it, so that train, evaluate, audit and the library
 * commands answer from the cache afterwards. Run one process per shard on as many machines as a
 * batch engine gives (see deploy/).
 *
 * @module
 */
import { analyzeLibrary, type AnalyzeSummary } from "../analyze/analyze.ts";
import { formatShard } from "../analyze/shard.ts";
import { defaultCacheDir } from "../dataset/cache.ts";
import { scanLibrary } from "../dataset/scan.ts";
import { FaceAnalyzer } from "../embed/photo.ts";
import type { AnalyzeArgs } from "./args.ts";
import { analyzerConfig, startBackend } from "./context.ts";
import { formatSeconds, type Reporter } from "./output.ts";

/**
 * Run `analyze`. A photo that cannot be read or decoded is named and skipped, as in `train`: the
 * exit code stays 0, so that a batch engine does not retry a whole shard for one broken file.
 */
export async function analyzeCommand(args: AnalyzeArgs, reporter: Reporter): Promise<number> {
  const library = await scanLibrary(args.library);
  for (const s of library.skipped) reporter.skipped(s.path, s.reason);
  await startBackend(args, reporter);
  const started = performance.now();
  const analyzer = await reporter.time(
    "load networks",
    () => FaceAnalyzer.load(analyzerConfig(args, true)),
  );
  let summary: AnalyzeSummary;
  try {
    summary = await analyzeLibrary(analyzer, library.files, {
      shard: args.shard,
      onProgress: (p) => reporter.progress(p),
    });
  } finally {
    analyzer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const cache = args.cache ?? defaultCacheDir();
  if (args.json) {
    reporter.result(JSON.stringify(
      {
        library: args.library,
        cache,
        shard: summary.shard ?? null,
        photos: summary.photos,
        inShard: summary.inShard,
        analyzed: summary.analyzed,
        cached: summary.cached,
        copies: summary.copies,
        failed: summary.failed,
        seconds: Math.round(seconds * 10) / 10,
      },
      null,
      2,
    ));
  } else {
    reporter.result(summaryLine(summary, seconds) + ` into "${cache}"`);
  }
  return 0;
}

function summaryLine(s: AnalyzeSummary, seconds: number): string {
  const which = s.shard
    ? `${s.inShard} of ${s.photos} photos in shard ${formatShard(s.shard)}`
    : `${s.photos} photos`;
  return `${which}: ${s.analyzed} analysed, ${s.cached} already in the cache, ` +
    `${s.copies} byte-identical copies, ${s.failed.length} failed, in ${formatSeconds(seconds)}`;
}
