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

/** The analyzer configuration that the common flags ask for. */
export function analyzerConfig(args: CommonArgs): AnalyzerConfig {
  return { cacheDir: args.cache };
}
