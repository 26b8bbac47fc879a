/**
 * The map/reduce split end to end: three `analyze --shard K/3` processes at once fill one cache,
 * a run killed with SIGKILL and run again loses and corrupts nothing, and `train` and `evaluate`
 * after them analyse nothing and give the same model as a single process.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, copySubset, haveData, MAIN, PEOPLE } from "./support/cli.ts";

/** A small library: 5 Train and 2 Test photos of three people, a byte copy and a broken file. */
async function library(dir: string): Promise<{ photos: number; unique: number }> {
  await copySubset("Train", join(dir, "train"), 0, 5);
  await copySubset("Test", join(dir, "test"), 0, 2);
  const messi = join(dir, "train", PEOPLE[1]);
  const first = [...Deno.readDirSync(messi)].map((e) => e.name).sort()[0];
  await Deno.copyFile(join(messi, first), join(messi, `copy of ${first}`));
  await Deno.writeTextFile(join(dir, "train", PEOPLE[0], "broken.jpg"), "not a photo");
  // The shared photos hold byte-identical files too: count contents, not names.
  const hashes = new Set<string>();
  let photos = 0;
  for (const split of ["train", "test"]) {
    for (const person of PEOPLE) {
      for (const e of Deno.readDirSync(join(dir, split, person))) {
        photos++;
        if (e.name === "broken.jpg") continue;
        const bytes = await Deno.readFile(join(dir, split, person, e.name));
        hashes.add(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).join(","));
      }
    }
  }
  return { photos, unique: hashes.size };
}

/** Every finished cache entry: JSON files under the cache's embeddings folders. */
async function entries(cache: string, kind = "embeddings"): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (path.includes(`/${kind}-`) && e.name.endsWith(".json")) out.push(path);
    }
  };
  await walk(cache).catch(() => {});
  return out;
}

async function analyzeJson(lib: string, cache: string, ...more: string[]) {
  const r = await cli("analyze", lib, "--cache", cache, "--backend", "wasm", "--json", ...more);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped ".*broken.jpg"/, "the broken photo is named");
  return JSON.parse(r.stdout);
}

Deno.test({
  name:
    "three analyze shards at once fill one cache; a killed run resumes; reduce analyses nothing",
  ignore: !haveData,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "facefit-shards-" });
    const lib = join(dir, "lib");
    const { photos, unique } = await library(lib);

    // Map: three shards at once, one cache folder.
    const sharded = join(dir, "cache-sharded");
    const shards = await Promise.all(
      [0, 1, 2].map((k) =>
        cli("analyze", lib, "--shard", `${k}/3`, "--cache", sharded, "--json", "--backend", "wasm")
      ),
    );
    for (const r of shards) assert.equal(r.code, 0, r.stderr);
    const reports = shards.map((r) => JSON.parse(r.stdout));
    const sum = (key: string) => reports.reduce((n, r) => n + r[key], 0);
    assert.equal(sum("inShard"), photos, "every photo falls in exactly one shard");
    assert.equal(sum("analyzed"), unique, "every photo analysed exactly once");
    assert.equal(sum("cached"), 0);
    assert.equal(sum("copies"), 1);
    assert.equal(reports.flatMap((r) => r.failed).length, 1, "the broken photo, in one shard");
    assert.equal((await entries(sharded)).length, unique);

    // One process, killed with SIGKILL once a few photos are in, then run again.
    const single = join(dir, "cache-single");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "analyze",
        lib,
        "--cache",
        single,
        "--backend",
        "wasm",
        "--workers",
        "1",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 120_000;
    while ((await entries(single)).length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    await child.status;
    const before = (await entries(single)).length;
    assert.ok(before >= 3 && before < unique, `killed half way (${before} of ${unique} entries)`);
    for (const kind of ["faces", "embeddings"]) {
      for (const path of await entries(single, kind)) {
        JSON.parse(await Deno.readTextFile(path)); // no half-written entry under its final name
      }
    }
    const resumed = await analyzeJson(lib, single);
    assert.equal(resumed.analyzed + resumed.cached, unique, "nothing lost");
    assert.ok(
      resumed.cached >= before,
      `${resumed.cached} of the ${before} finished entries reused`,
    );

    // Reduce: train and evaluate on each cache analyse nothing and agree.
    const models = [];
    for (const cache of [sharded, single]) {
      const model = join(dir, `model-${models.length}`);
      const args = ["--cache", cache, "--backend", "wasm", "--seed", "3"];
      const t = await cli("train", "--data", join(lib, "train"), "--model", model, ...args);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stderr, /all \d+ photos from the cache, nothing analysed/);
      const e = await cli(
        "evaluate",
        "--data",
        join(lib, "test"),
        "--model",
        model,
        "--json",
        "--cache",
        cache,
        "--backend",
        "wasm",
      );
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stderr, /all \d+ photos from the cache, nothing analysed/);
      const info = JSON.parse(await Deno.readTextFile(join(model, "facefit.json")));
      models.push({
        labels: info.labels,
        thresholds: Object.fromEntries(
          Object.entries(info.openSet.people).map((
            [p, v],
          ) => [p, (v as { threshold: number }).threshold]),
        ),
        accuracy: JSON.parse(e.stdout).accuracy,
      });
    }
    assert.deepEqual(models[0], models[1]);
    assert.deepEqual(models[0].labels, PEOPLE);
    await Deno.remove(dir, { recursive: true });
  },
});
