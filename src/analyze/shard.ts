/**
 * Split a photo library into N shards by content, with no coordination between the processes
 * that analyse them: a photo belongs to the shard its content hash falls in, so every process
 * decides alone, adding photos never moves the others, and byte-identical copies land in one
 * shard (analysed once).
 *
 * @module
 */

/** One shard of N: `index` counts from 0. */
export interface Shard {
  /** This shard, 0 to `count - 1`. */
  index: number;
  /** How many shards the library is split into. */
  count: number;
}

/**
 * Environment variables that batch engines set to a task's index in an array of tasks, with the
 * variable holding the array's first index where the engine has one (Slurm arrays may start at 1).
 */
export const SHARD_INDEX_VARIABLES = [
  { name: "JOB_COMPLETION_INDEX", engine: "Kubernetes Indexed Job", min: undefined },
  { name: "SLURM_ARRAY_TASK_ID", engine: "Slurm job array", min: "SLURM_ARRAY_TASK_MIN" },
] as const;

/** The environment variables a shard spec may read (for `--allow-env`). */
export const SHARD_ENV: readonly string[] = SHARD_INDEX_VARIABLES.flatMap((v) =>
  v.min ? [v.name, v.min] : [v.name]
);

/**
 * Parse a shard spec: `K/N` (shard K of N, from 0), or `index/N`, which takes K from the batch
 * engine's environment ({@linkcode SHARD_INDEX_VARIABLES}).
 *
 * @param spec the `--shard` value.
 * @param env reads an environment variable (injected, so that parsing stays pure).
 * @throws RangeError naming the value and the accepted forms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShard } from "./shard.ts";
 *
 * assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
 * assert.deepEqual(parseShard("index/8", (n) => n === "JOB_COMPLETION_INDEX" ? "5" : undefined), {
 *   index: 5,
 *   count: 8,
 * });
 * ```
 */
export function parseShard(
  spec: string,
  env: (name: string) => string | undefined = () => undefined,
): Shard {
  const form = /^\s*(\d+|index)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!form) {
    throw new RangeError(
      `Invalid shard "${spec}": use K/N (shard K of N, counting from 0, e.g. 0/4) or index/N ` +
        `(K from ${SHARD_INDEX_VARIABLES.map((v) => v.name).join(" or ")})`,
    );
  }
  const count = Number(form[2]);
  if (count < 1) throw new RangeError(`Invalid shard "${spec}": N must be at least 1`);
  const index = form[1] === "index" ? indexFromEnv(spec, env) : Number(form[1]);
  if (index >= count) {
    throw new RangeError(
      `Invalid shard "${spec}": K is ${index}, but shards count from 0 to ${count - 1}` +
        (form[1] === "index" ? "; check the array's size against N" : ""),
    );
  }
  return { index, count };
}

function indexFromEnv(spec: string, env: (name: string) => string | undefined): number {
  for (const v of SHARD_INDEX_VARIABLES) {
    const raw = env(v.name);
    if (raw === undefined || raw === "") continue;
    const min = v.min ? env(v.min) : undefined;
    const index = Number(raw) - (min ? Number(min) : 0);
    if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(index) || index < 0) {
      throw new RangeError(
        `Invalid shard "${spec}": ${v.name} is "${raw}"${min ? ` (${v.min} "${min}")` : ""}, ` +
          "not a task index",
      );
    }
    return index;
  }
  throw new RangeError(
    `Shard "${spec}" takes its index from the batch engine, but none of ` +
      `${SHARD_INDEX_VARIABLES.map((v) => `${v.name} (${v.engine})`).join(", ")} is set; ` +
      "give the index instead, e.g. --shard 0/4",
  );
}

/**
 * The shard a content hash falls in: its first 52 bits modulo `count`. SHA-256 is uniform, so the
 * shards get about equal shares.
 *
 * @param hashHex a SHA-256 digest in hex (the cache key of a photo).
 */
export function shardOf(hashHex: string, count: number): number {
  if (!/^[0-9a-f]{13}/i.test(hashHex)) {
    throw new RangeError(`Not a content hash: "${hashHex}"; expected at least 13 hex digits`);
  }
  return parseInt(hashHex.slice(0, 13), 16) % count;
}

/** Whether a content hash belongs to `shard`. */
export function inShard(hashHex: string, shard: Shard): boolean {
  return shardOf(hashHex, shard.count) === shard.index;
}

/** `K/N` as a person reads it. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
