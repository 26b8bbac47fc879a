/**
 * Run facefit's CLI in a subprocess for the benchmark scripts, with an optional cache folder.
 *
 * @module
 */
import { cli, type Run } from "../tests/support/cli.ts";

/** `deno run -A main.ts ARGS [--cache DIR]`. */
export function runCli(args: string[], cache?: string): Promise<Run> {
  return cli(...args, ...(cache ? ["--cache", cache] : []));
}
