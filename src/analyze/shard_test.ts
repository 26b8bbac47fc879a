import assert from "node:assert/strict";
import { formatShard, inShard, parseShard, SHARD_ENV, shardOf } from "./shard.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("parseShard reads K/N and takes index/N from the batch engine's variables", () => {
  assert.deepEqual(parseShard("0/1"), { index: 0, count: 1 });
  assert.deepEqual(parseShard(" 3 / 4 "), { index: 3, count: 4 });
  assert.deepEqual(parseShard("index/8", env({ JOB_COMPLETION_INDEX: "7" })), {
    index: 7,
    count: 8,
  });
  // A Slurm array may start at 1: the index counts from the array's first task.
  assert.deepEqual(
    parseShard("index/4", env({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "1" })),
    { index: 2, count: 4 },
  );
  assert.deepEqual(parseShard("index/4", env({ SLURM_ARRAY_TASK_ID: "2" })), {
    index: 2,
    count: 4,
  });
  assert.equal(formatShard({ index: 2, count: 4 }), "2/4");
});

Deno.test("parseShard refuses what is not a shard, and says which forms work", () => {
  assert.throws(() => parseShard("4/4"), /K is 4, but shards count from 0 to 3/);
  assert.throws(() => parseShard("1/0"), /N must be at least 1/);
  assert.throws(() => parseShard("1-4"), /use K\/N .* or index\/N/);
  assert.throws(() => parseShard("index/4"), /none of JOB_COMPLETION_INDEX .* is set/);
  assert.throws(
    () => parseShard("index/4", env({ JOB_COMPLETION_INDEX: "9" })),
    /check the array's size against N/,
  );
  assert.throws(
    () => parseShard("index/4", env({ SLURM_ARRAY_TASK_ID: "x" })),
    /SLURM_ARRAY_TASK_ID is "x"/,
  );
});

Deno.test("shards split content hashes evenly, and adding photos moves none", async () => {
  const hashes: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`photo ${i}`));
    hashes.push(
      Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
    );
  }
  const counts = [0, 0, 0];
  for (const h of hashes) counts[shardOf(h, 3)]++;
  for (const c of counts) assert.ok(Math.abs(c - 1000) < 100, `uneven shards: ${counts}`);
  // Every hash is in exactly one shard.
  for (const h of hashes.slice(0, 100)) {
    assert.equal([0, 1, 2].filter((index) => inShard(h, { index, count: 3 })).length, 1);
  }
  assert.throws(() => shardOf("xyz", 3), /Not a content hash: "xyz"/);
});

Deno.test("the analyze task may read every variable a shard index comes from", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const allowed = /--allow-env=(\S+)/.exec(config.tasks.analyze)?.[1].split(",") ?? [];
  for (const name of SHARD_ENV) assert.ok(allowed.includes(name), `${name} missing from the task`);
});
