/**
 * A damaged, hand-edited or half-written model folder fails to load with a message that names
 * the folder and what is wrong, and an interrupted save leaves the previous model as it was.
 */
import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { join } from "node:path";
import { buildHead } from "./head.ts";
import { loadModel, saveModel } from "./model_io.ts";
import { testModelInfo } from "./test_fixtures.ts";

await tf.setBackend("cpu");

const info = testModelInfo;

/** Every file of a folder, by relative path. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      for (const [k, v] of Object.entries(await snapshot(path))) out[`${e.name}/${k}`] = v;
    } else out[e.name] = Array.from(await Deno.readFile(path)).join(",");
  }
  return out;
}

async function savedModel(labels = ["a", "b"]): Promise<string> {
  const dir = join(await Deno.makeTempDir({ prefix: "facefit-model-" }), "m");
  const head = buildHead({ inputSize: 4, classes: labels.length, seed: 1 });
  await saveModel(dir, { head, info: info(labels), metrics: { valAccuracy: 1 } });
  head.dispose();
  return dir;
}

/** Load must fail with `pattern`, name the folder, and leak no tensor. */
async function assertRefused(dir: string, pattern: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  const error = await loadModel(dir).then(() => undefined, (e) => e);
  assert.ok(error instanceof Error, `expected a refusal matching ${pattern}`);
  assert.match(error.message, pattern);
  assert.ok(error.message.includes(dir), `the message names the folder: ${error.message}`);
  assert.ok(!(error instanceof TypeError), `a checked message, not a TypeError: ${error.message}`);
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
}

Deno.test("loadModel refuses edited facefit.json fields, naming the field", async () => {
  const dir = await savedModel();
  const edits: [unknown, RegExp][] = [
    [null, /facefit.json does not hold an object/],
    [[1, 2], /facefit.json does not hold an object/],
    [{ ...info(["a", "b"]), format: "1" }, /has format "1", this facefit reads format 1/],
    [{ ...info(["a", "b"]), labels: "a,b" }, /lists no labels/],
    [{ ...info(["a", "b"]), labels: ["a", 7] }, /label that is not a name/],
    [{ ...info(["a", "b"]), labels: ["a", "a"] }, /lists a label twice/],
    [{ ...info(["a", "b"]), backbone: 3 }, /no "backbone" id/],
    [{ ...info(["a", "b"]), embedding: { size: "4" } }, /no embedding size/],
    [{ ...info(["a", "b"]), embedding: { size: 8 } }, /takes 4 inputs but .* embedding has 8/],
    [{ ...info(["a", "b"]), threshold: {} }, /no threshold/],
    [{ ...info(["a", "b"]), fineTune: { stages: 1 } }, /"fineTune" without its "baseBackbone"/],
    [{ ...info(["a", "b"]), openSet: { people: {} } }, /"openSet" without "people"/],
    [
      { ...info(["a", "b"]), openSet: { people: { a: { threshold: "x" } }, centroids: {} } },
      /no open-set threshold for "a"/,
    ],
    [
      { ...info(["a", "b"]), openSet: { people: {}, centroids: { a: [1, 2] } } },
      /broken open-set centroid for "a" \(4 numbers expected\)/,
    ],
  ];
  for (const [value, pattern] of edits) {
    await Deno.writeTextFile(join(dir, "facefit.json"), JSON.stringify(value));
    await assertRefused(dir, pattern);
  }
  await Deno.writeTextFile(join(dir, "facefit.json"), '{"format": 1, "labels": ["a", "b"');
  await assertRefused(dir, /"facefit.json" is not valid JSON/);
});

Deno.test("loadModel refuses a damaged or incomplete model.json and weights.bin", async () => {
  const dir = await savedModel();
  const modelJson = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  const weights = await Deno.readFile(join(dir, "weights.bin"));
  const write = (value: unknown) =>
    Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(value));
  const manifest = modelJson.weightsManifest[0];

  await write({ ...modelJson, weightsManifest: [{ ...manifest, paths: ["../../etc/passwd"] }] });
  await assertRefused(dir, /weight file "..\/..\/etc\/passwd": only plain file names/);
  await write({ ...modelJson, weightsManifest: "weights.bin" });
  await assertRefused(dir, /no "weightsManifest" list/);
  await write({ ...modelJson, weightsManifest: [{ ...manifest, weights: [{ name: "w" }] }] });
  await assertRefused(dir, /broken weight entry/);
  await write({ ...modelJson, modelTopology: undefined });
  await assertRefused(dir, /no "modelTopology" object/);
  await write({ ...modelJson, modelTopology: { class_name: "Nonsense", config: {} } });
  await assertRefused(dir, /model.json has no named layers/);
  type Layer = { class_name: string; config: Record<string, unknown> };
  const edit = (change: (layers: Layer[]) => void) => {
    const copy = structuredClone(modelJson);
    change(copy.modelTopology.config.layers);
    return write(copy);
  };
  const dense = (layers: Layer[]) => layers.find((l) => l.class_name === "Dense")!;
  await edit((layers) => layers.find((l) => l.class_name === "Dropout")!.class_name = "Nonsense");
  await assertRefused(dir, /model.json cannot be built \(Unknown layer: Nonsense/);
  await edit((layers) => dense(layers).config.units = 1e9);
  await assertRefused(
    dir,
    /gives the Dense layer "probabilities" 1000000000 outputs but its weight/,
  );
  await edit((layers) => dense(layers).config.name = "renamed");
  await assertRefused(dir, /a weight "probabilities\/kernel" that belongs to no layer/);
  await edit((layers) => delete dense(layers).config.name);
  await assertRefused(dir, /a Dense layer without a name/);
  await edit((layers) => dense(layers).config.name = "../x");
  await assertRefused(dir, /a layer named "..\/x"/);
  // Found by tests/fuzz_test.ts: it builds, but cannot run.
  const odd = structuredClone(modelJson);
  odd.modelTopology.config.layers[0].config.dtype = 1.5;
  await write(odd);
  await assertRefused(dir, /the network does not run on an embedding \(The dtype of the feed/);
  await Deno.writeTextFile(join(dir, "model.json"), "");
  await assertRefused(dir, /"model.json" is not valid JSON/);
  await Deno.remove(join(dir, "model.json"));
  await assertRefused(dir, /is incomplete: ".*model.json" is missing/);
  await write(modelJson);

  await Deno.writeFile(join(dir, "weights.bin"), weights.subarray(0, weights.length - 3));
  await assertRefused(dir, /weights.bin has \d+ bytes, model.json expects \d+/);
  await Deno.remove(join(dir, "weights.bin"));
  await assertRefused(dir, /is incomplete: cannot read "weights.bin"/);
  await Deno.writeFile(join(dir, "weights.bin"), weights);
  (await loadModel(dir)).head.dispose();
});

Deno.test("loadModel refuses a fine-tuned model whose backbone/ folder is missing", async () => {
  const dir = await savedModel();
  const fineTune = { stages: 1, baseBackbone: "test-backbone" };
  await Deno.writeTextFile(
    join(dir, "facefit.json"),
    JSON.stringify(info(["a", "b"], { fineTune })),
  );
  await assertRefused(dir, /is incomplete: ".*backbone.model.json" is missing/);
});

Deno.test("an aborted save leaves the previous model and no temporary folder", async () => {
  const dir = await savedModel(["a", "b"]);
  const before = await snapshot(dir);
  const head = buildHead({ inputSize: 4, classes: 3, seed: 2 });
  const next = { head, info: info(["a", "b", "c"]), metrics: { valAccuracy: 0.5 } };
  // Abort after each file in turn, as a Ctrl-C between two writes would.
  for (const at of ["model.json", "facefit.json", "metrics.json", "report.html"]) {
    const controller = new AbortController();
    const onFile = (name: string) => name === at && controller.abort(new Error(`stop at ${at}`));
    await assert.rejects(
      saveModel(dir, next, {
        signal: controller.signal,
        onFile,
        extraFiles: { "report.html": "" },
      }),
      new RegExp(`stop at ${at}`),
    );
    assert.deepEqual(
      await snapshot(dir),
      before,
      `aborted at ${at}: the previous model is unchanged`,
    );
    const left = [...Deno.readDirSync(join(dir, ".."))].map((e) => e.name);
    assert.deepEqual(left, ["m"], `aborted at ${at}: no temporary folder left`);
  }
  const loaded = await loadModel(dir);
  assert.deepEqual(loaded.info.labels, ["a", "b"]);
  loaded.head.dispose();

  // An abort that comes after the swap is too late to matter: the new model is complete.
  const late = new AbortController();
  await saveModel(dir, next, { signal: late.signal });
  late.abort();
  assert.deepEqual((await loadModel(dir)).info.labels, ["a", "b", "c"]);
  await assert.rejects(saveModel(dir, next, { signal: late.signal }), /AbortError|aborted/);
  head.dispose();
});

Deno.test("a save cut short between its two renames points at the previous model", async () => {
  const dir = await savedModel();
  // What a kill between "move the old folder aside" and "move the new one in" leaves.
  const aside = join(dir, "..", ".m.old-1234-abcd");
  await Deno.rename(dir, aside);
  await assertRefused(dir, /left the previous model in ".*\.m\.old-1234-abcd"; rename that folder/);
});
