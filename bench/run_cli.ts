/**
 * Run facefit's CLI in a subprocess for the benchmark scripts, with an optional cache folder.
 *
 * @module
 */
import { cli, type Run, SHARED } from "../tests/support/cli.ts";

/** `deno run -A main.ts ARGS [--cache DIR]`. */
export function runCli(args: string[], cache?: string): Promise<Run> {
  return cli(...args, ...(cache ? ["--cache", cache] : []));
}

/** The shared FC Barcelona photos (Train/ and Test/), every benchmark's default `--data`. */
export const FCBARCELONA: string = SHARED.replace(/\/$/, "");
