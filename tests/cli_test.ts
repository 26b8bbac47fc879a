/**
 * End-to-end tests of the CLI on a small subset of the shared FC Barcelona photos, copied into a
 * temporary folder (never into the repository).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, copySubset as subset, haveData, MAIN, PEOPLE } from "./support/cli.ts";

Deno.test("usage errors exit with 2 and name the valid choices", async () => {
  const r = await cli("train", "--backend", "tpu");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown backend "tpu": choose one of auto, webgpu, wasm, cpu/);
  const h = await cli("help", "predict");
  assert.equal(h.code, 0);
  assert.match(h.stdout, /facefit predict/);
});

Deno.test("predict with a missing model fails clearly", async () => {
  const dir = await Deno.makeTempDir();
  const r = await cli("predict", "x.jpg", "--model", join(dir, "nope"), "--backend", "wasm");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No facefit model at ".*nope": "facefit.json" is missing/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});

Deno.test({
  name: "train, predict and evaluate on a small real subset",
  ignore: !haveData,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "facefit-e2e-" });
    const train = join(dir, "train"), test = join(dir, "test"), model = join(dir, "model");
    const cache = join(dir, "cache");
    await subset("Train", train, 0, 10);
    await subset("Test", test, 0, 4);
    // A broken photo in the training data is reported and skipped, not fatal.
    await Deno.writeTextFile(join(train, "Messi", "broken.jpg"), "this is not a JPEG");

    const trainArgs = [
      "train",
      "--data",
      train,
      "--model",
      model,
      "--cache",
      cache,
      "--seed",
      "1",
      "--backend",
      "wasm",
    ];
    const t = await cli(...trainArgs);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr.split("\n")[0], /^facefit: backend wasm on CPU/);
    assert.match(t.stderr, /skipped ".*broken.jpg"/);
    for (const f of ["model.json", "weights.bin", "facefit.json", "metrics.json"]) {
      assert.ok(Deno.statSync(join(model, f)).isFile, f);
    }
    const info = JSON.parse(await Deno.readTextFile(join(model, "facefit.json")));
    assert.deepEqual(info.labels, PEOPLE);

    // Warm run: every photo comes from the cache (the broken file fails again and counts as neither).
    const warm = await cli(...trainArgs);
    assert.equal(warm.code, 0, warm.stderr);
    assert.match(warm.stderr, /all 30 photos from the cache, nothing analysed/);

    const photo = join(
      test,
      "Messi",
      [...Deno.readDirSync(join(test, "Messi"))].map((e) => e.name).sort()[0],
    );
    const p = await cli(
      "predict",
      photo,
      join(dir, "missing.jpg"),
      "--model",
      model,
      "--cache",
      cache,
      "--json",
    );
    assert.equal(p.code, 1, "a missing file makes the exit code 1");
    assert.match(p.stderr, /missing.jpg/);
    const results = JSON.parse(p.stdout);
    assert.equal(results.length, 2);
    assert.equal(results[0].file, photo);
    assert.ok(results[0].faces.length >= 1);
    const face = results[0].faces[0];
    for (const k of ["x", "y", "width", "height"]) assert.equal(typeof face.box[k], "number");
    assert.ok(face.probability > 0 && face.probability <= 1);
    assert.ok(results[0].faces.some((f: { name: string }) => f.name === "Messi"), p.stdout);
    assert.ok(results[1].error);

    const e = await cli("evaluate", "--data", test, "--model", model, "--cache", cache, "--json");
    assert.equal(e.code, 0, e.stderr);
    const report = JSON.parse(e.stdout);
    assert.equal(report.total, 12);
    assert.equal(
      report.correct,
      Object.values(report.perClass).reduce(
        (s: number, c) => s + (c as { correct: number }).correct,
        0,
      ),
    );
    assert.ok(report.accuracy >= 0.75, `accuracy ${report.accuracy}`);
    assert.deepEqual(Object.keys(report.confusion), PEOPLE);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("train without --data and without data/train says how to get photos", async () => {
  const dir = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "train", "--backend", "wasm"],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(new TextDecoder().decode(out.stderr), /No photos in "data\/train".*deno task demo/);
  await Deno.remove(dir);
});
