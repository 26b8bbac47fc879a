import assert from "node:assert/strict";
import { DEFAULTS, parseCommand, UsageError } from "./args.ts";

Deno.test("train defaults, and --val defaults to data/test only when it exists", () => {
  const a = parseCommand(["train"], () => false);
  assert.equal(a.kind, "train");
  if (a.kind !== "train") return;
  assert.equal(a.data, DEFAULTS.data);
  assert.equal(a.val, undefined);
  assert.equal(a.model, DEFAULTS.model);
  assert.equal(a.backend, "auto");
  const b = parseCommand(["train"], (p) => p === "data/test");
  assert.equal(b.kind === "train" && b.val, "data/test");
  const c = parseCommand([
    "train",
    "--data",
    "x",
    "--seed",
    "7",
    "--val-split",
    "0.3",
    "--no-cache",
  ], () => true);
  assert.ok(
    c.kind === "train" && c.val === undefined && c.seed === 7 && c.valSplit === 0.3 &&
      c.cache === false,
  );
});

Deno.test("predict takes files and options", () => {
  const a = parseCommand([
    "predict",
    "a.jpg",
    "b c.png",
    "--json",
    "--threshold",
    "0.6",
    "--backend",
    "wasm",
  ]);
  assert.ok(a.kind === "predict");
  if (a.kind !== "predict") return;
  assert.deepEqual(a.files, ["a.jpg", "b c.png"]);
  assert.equal(a.threshold, 0.6);
  assert.equal(a.json, true);
  assert.equal(a.backend, "wasm");
});

Deno.test("help forms", () => {
  assert.deepEqual(parseCommand([]), { kind: "help", command: undefined });
  assert.deepEqual(parseCommand(["--help"]), { kind: "help", command: undefined });
  assert.deepEqual(parseCommand(["help", "train"]), { kind: "help", command: "train" });
  assert.deepEqual(parseCommand(["predict", "--help"]), { kind: "help", command: "predict" });
});

Deno.test("bad input is a UsageError naming the value and the choices", () => {
  const cases: [string[], RegExp][] = [
    [["fly"], /Unknown command "fly": choose one of train, predict, evaluate, demo/],
    [["train", "--backend", "tpu"], /Unknown backend "tpu": choose one of auto, webgpu, wasm, cpu/],
    [["train", "--epochs", "1.5"], /Invalid --epochs "1.5"/],
    [["train", "--val-split", "2"], /Invalid --val-split "2": use a number from 0 to 0.9/],
    [["train", "--bogus"], /bogus/],
    [["predict"], /predict needs at least one photo/],
    [["predict", "a.jpg", "--threshold", "x"], /Invalid --threshold "x"/],
    [["train", "--cache", "d", "--no-cache"], /either --cache DIR or --no-cache/],
    [["help", "nope"], /Unknown command "nope"/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseCommand(argv),
      (e) => e instanceof UsageError && message.test(e.message),
      argv.join(" "),
    );
  }
});

Deno.test("--max-pixels: every command takes it, with a default, and refuses nonsense", () => {
  for (const argv of [["train"], ["predict", "a.jpg"], ["evaluate"], ["audit"], ["demo"]]) {
    const a = parseCommand([...argv, "--max-pixels", "2e6"]);
    assert.ok(a.kind !== "help" && a.maxPixels === 2e6, argv[0]);
  }
  const d = parseCommand(["train"]);
  assert.ok(d.kind === "train" && d.maxPixels === 50_000_000);
  for (const bad of ["0", "0.5", "many", ""]) {
    assert.throws(
      () => parseCommand(["predict", "a.jpg", "--max-pixels", bad]),
      (e: Error) => e instanceof UsageError && /Invalid --max-pixels/.test(e.message),
      bad,
    );
  }
});

Deno.test("analyze takes one library and a shard, K/N or from the batch engine", () => {
  const a = parseCommand(["analyze", "photos", "--shard", "1/3", "--cache", "c"]);
  assert.equal(a.kind, "analyze");
  if (a.kind !== "analyze") return;
  assert.equal(a.library, "photos");
  assert.deepEqual(a.shard, { index: 1, count: 3 });
  assert.equal(a.cache, "c");
  const k8s = parseCommand(
    ["analyze", "lib", "--shard", "index/8"],
    () => false,
    (name) => (name === "JOB_COMPLETION_INDEX" ? "6" : undefined),
  );
  assert.deepEqual(k8s.kind === "analyze" && k8s.shard, { index: 6, count: 8 });
  const all = parseCommand(["analyze", "lib"]);
  assert.equal(all.kind === "analyze" && all.shard, undefined);
  assert.throws(() => parseCommand(["analyze"]), /analyze takes one photo library, got 0/);
  assert.throws(() => parseCommand(["analyze", "a", "b"]), /got 2/);
  assert.throws(() => parseCommand(["analyze", "a", "--shard", "3/3"]), UsageError);
  assert.throws(() => parseCommand(["analyze", "a", "--no-cache"]), /--no-cache leaves it nothing/);
  assert.throws(() => parseCommand(["train", "extra"]), /train takes only options/);
});
