/**
 * Run the analyzer over every photo of a dataset, reporting progress and collecting failures
 * instead of stopping at the first broken file.
 *
 * @module
 */
import type { LabelledFile } from "../dataset/scan.ts";
import type { FaceAnalyzer, PhotoRecord } from "../embed/photo.ts";

/** Progress of a step over many files. */
export interface StepProgress {
  /** What is being done, e.g. "faces". */
  step: string;
  /** Files finished so far, this one included. */
  done: number;
  /** Files in the step. */
  total: number;
  /** The file just finished. */
  file?: string;
  /** Whether it came from the cache. */
  cached?: boolean;
  /** Why it failed, when it did. */
  error?: string;
}

/** A photo with its analysis. */
export interface AnalyzedFile extends LabelledFile {
  record: PhotoRecord;
}

/** A photo that could not be used, and why. */
export interface FailedFile {
  /** The file. */
  path: string;
  /** What went wrong, e.g. the decoder's message. */
  reason: string;
}

/**
 * Analyze files, as many at once as the analyzer has workers; results keep the files' order. A
 * file that cannot be read or decoded is reported and skipped.
 */
export async function analyzeFiles(
  analyzer: FaceAnalyzer,
  files: readonly LabelledFile[],
  onProgress?: (p: StepProgress) => void,
  step = "faces",
): Promise<{ analyzed: AnalyzedFile[]; failed: FailedFile[] }> {
  const results: ({ record: PhotoRecord } | { reason: string })[] = new Array(files.length);
  let next = 0, done = 0;
  const lane = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i];
      const hitsBefore = analyzer.stats.hits;
      try {
        const record = await analyzer.analyzeFile(file.path);
        results[i] = { record };
        const cached = analyzer.concurrency === 1 ? analyzer.stats.hits > hitsBefore : undefined;
        onProgress?.({ step, done: ++done, total: files.length, file: file.path, cached });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        results[i] = { reason };
        onProgress?.({ step, done: ++done, total: files.length, file: file.path, error: reason });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, analyzer.concurrency) }, lane));
  const analyzed: AnalyzedFile[] = [];
  const failed: FailedFile[] = [];
  files.forEach((file, i) => {
    const r = results[i];
    if ("record" in r) analyzed.push({ ...file, record: r.record });
    else failed.push({ path: file.path, reason: r.reason });
  });
  return { analyzed, failed };
}
