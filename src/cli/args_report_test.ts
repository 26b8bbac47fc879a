import assert from "node:assert/strict";
import { parseCommand, UsageError } from "./args.ts";

Deno.test("--report and --annotate are paths, absent by default", () => {
  const t = parseCommand(["train", "--report", "out/r.html"]);
  assert.ok(t.kind === "train" && t.report === "out/r.html");
  const e = parseCommand(["evaluate"]);
  assert.ok(e.kind === "evaluate" && e.report === undefined);
  const p = parseCommand(["predict", "a.jpg", "--annotate", "boxed"]);
  assert.ok(p.kind === "predict" && p.annotate === "boxed");
});

Deno.test("unknown options name the valid ones; missing values say so", () => {
  const cases: [string[], RegExp][] = [
    [
      ["train", "--epoch", "3"],
      /Unknown option "--epoch" for train \(did you mean --epochs\?\): choose from .*--report/,
    ],
    [["predict", "a.jpg", "--annotated", "x"], /did you mean --annotate\?/],
    [
      ["evaluate", "--bogus"],
      /Unknown option "--bogus" for evaluate: choose from --backend, .*--data\b.*--report\b.*; see "facefit help evaluate"/,
    ],
    [["train", "stray"], /Unexpected argument "stray": train takes only options/],
    [["train", "--data"], /Option "--data" needs a value; see "facefit help train"/],
    [["predict", "a.jpg", "--annotate", " "], /Invalid --annotate " ": give a path/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseCommand(argv),
      (e) => e instanceof UsageError && message.test(e.message),
      argv.join(" "),
    );
  }
});
