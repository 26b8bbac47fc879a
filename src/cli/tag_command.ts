/**
 * `facefit tag LIBRARY`: name the faces of every photo in a library, into XMP sidecars (MWG face
 * regions and PersonInImage) and/or one JSON line per photo.
 *
 * @module
 */
import { Recognizer } from "../head/recognizer.ts";
import { modelId, type TaggedPhoto, tagLibrary, type TagSummary } from "../xmp/tag.ts";
import type { TagArgs } from "./args.ts";
import { analyzerConfig, peakRssMiB, startBackend } from "./context.ts";
import type { Interruption } from "./interrupt.ts";
import { cacheLine, formatSeconds, type Reporter } from "./output.ts";

/** What Ctrl-C leaves behind during `tag`. */
export const TAG_INTERRUPTED = "interrupted; every sidecar is as it was or complete, and the " +
  "photos done are recorded: run the same tag command again to continue";

/** Run `tag`; returns the exit code. */
export async function tagCommand(
  args: TagArgs,
  reporter: Reporter,
  interruption?: Interruption,
): Promise<number> {
  const id = await readModelId(args.model);
  const lines = await openLines(args.jsonl, reporter);
  const started = performance.now();
  let recognizer: Recognizer | undefined;
  const model = {
    id,
    load: async () => {
      await startBackend(args, reporter);
      recognizer = await reporter.time(
        "load networks",
        () => Recognizer.load(args.model, analyzerConfig(args, true)),
      );
      return recognizer;
    },
  };
  const run = (signal?: AbortSignal) =>
    tagLibrary(args.library, model, {
      xmp: args.xmp,
      state: args.state,
      threshold: args.threshold,
      signal,
      onPhoto: (line) => lines?.write(line),
      onProgress: (p) => reporter.progress(p),
    });
  let summary: TagSummary;
  try {
    summary = interruption
      ? await interruption.guard(async (signal) => {
        interruption.message = TAG_INTERRUPTED;
        return await run(signal);
      })
      : await run();
  } finally {
    await lines?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  if (recognizer) reporter.info(cacheLine(recognizer.analyzer.stats));
  printSummary(reporter, args, summary, seconds);
  if (args.json && args.jsonl !== "-") {
    reporter.result(JSON.stringify({
      ...summary,
      seconds: Math.round(seconds * 100) / 100,
      peakRssMiB: peakRssMiB(),
    }));
  }
  return 0;
}

async function readModelId(model: string): Promise<string> {
  try {
    return await modelId(model);
  } catch (error) {
    throw new Error(
      `Cannot read the model "${model}": ${error instanceof Error ? error.message : error}; ` +
        "give a folder made by facefit train (--model DIR)",
    );
  }
}

/** Where the JSON lines go: stdout, a file (replaced), or nowhere. */
async function openLines(
  target: string | undefined,
  reporter: Reporter,
): Promise<{ write(line: TaggedPhoto): Promise<void>; close(): Promise<void> } | undefined> {
  if (target === undefined) return undefined;
  if (target === "-") {
    return {
      write: (line) => Promise.resolve(reporter.result(JSON.stringify(line))),
      close: () => Promise.resolve(),
    };
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(target, { write: true, create: true, truncate: true });
  } catch (error) {
    throw new Error(
      `Cannot write --jsonl "${target}": ${error instanceof Error ? error.message : error}; ` +
        "choose another file",
    );
  }
  const encoder = new TextEncoder();
  let chain = Promise.resolve();
  return {
    write(line) {
      chain = chain.then(async () => {
        const bytes = encoder.encode(JSON.stringify(line) + "\n");
        for (let o = 0; o < bytes.length;) o += await file.write(bytes.subarray(o));
      });
      return chain;
    },
    async close() {
      await chain.catch(() => {});
      file.close();
    },
  };
}

function printSummary(reporter: Reporter, args: TagArgs, s: TagSummary, seconds: number): void {
  for (const f of s.failed) reporter.skipped(f.path, f.reason);
  if (s.stateError) reporter.warn(s.stateError);
  const rate = s.tagged > 0 ? `, ${(s.tagged / seconds).toFixed(2)} photos/s` : "";
  reporter.info(
    `tag: ${s.photos} photo(s) in "${args.library}": ${s.tagged} tagged (${s.faces.found} ` +
      `face(s), ${s.faces.named} named), ${s.unchanged} unchanged, ${s.failed.length} failed; ` +
      (args.xmp ? `${s.sidecarsWritten} sidecar(s) written; ` : "") +
      `${formatSeconds(seconds)}${rate}`,
  );
  if (s.state) reporter.info(`state: "${s.state}" (a second run does only new or changed photos)`);
}
