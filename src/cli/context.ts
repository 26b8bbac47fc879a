/**
 * What every command does first: start the backend, say which one runs, load the networks.
 *
 * @module
 */
import { type BackendInfo, initBackend } from "../backend/backend.ts";
import type { AnalyzerConfig } from "../embed/photo.ts";
import type { CommonArgs } from "./args.ts";
import type { Reporter } from "./output.ts";

/** Start the backend and print the first line: which backend and device. */
export async function startBackend(args: CommonArgs, reporter: Reporter): Promise<BackendInfo> {
  const backend = await initBackend(args.backend);
  reporter.info(`facefit: backend ${backend.name} on ${backend.device}`);
  return backend;
}

/**
 * The analyzer configuration that the common flags ask for.
 *
 * @param manyPhotos whether the command works through a folder (worth starting workers for): then
 *   one thread per core, this one included. Nothing else caps it: each worker costs about 120 MB
 *   (its own SSD and WebAssembly heap), and this thread, which decodes, aligns and embeds every
 *   photo (about 33 ms a photo against 160 ms for an SSD pass), feeds up to about five workers
 *   before it becomes the bottleneck; past that, run `analyze --shard` processes side by side.
 */
export function analyzerConfig(args: CommonArgs, manyPhotos = false): AnalyzerConfig {
  const cores = navigator.hardwareConcurrency ?? 1;
  return {
    cacheDir: args.cache,
    workers: args.workers ?? (manyPhotos ? cores : 1),
    decode: { maxPixels: args.maxPixels },
  };
}

/** This process's peak resident memory in MiB (Linux VmHWM), else the current RSS. */
export function peakRssMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    if (kb > 0) return Math.round(kb / 1024);
  } catch {
    // not Linux, or no read permission: fall back below
  }
  return Math.round(Deno.memoryUsage().rss / 2 ** 20);
}
