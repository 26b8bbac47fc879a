import assert from "node:assert/strict";
import { DEFAULTS, parseCommand, UsageError } from "./args.ts";

Deno.test("cluster: one library, --out required, defaults and options", () => {
  const a = parseCommand(["cluster", "photos", "--out", "people"]);
  assert.ok(a.kind === "cluster");
  assert.equal(a.library, "photos");
  assert.equal(a.out, "people");
  assert.equal(a.model, undefined);
  assert.equal(a.distance, DEFAULTS.clusterDistance);
  assert.equal(a.minFaces, DEFAULTS.clusterMinFaces);
  assert.equal(a.page, true);
  const b = parseCommand([
    "cluster",
    "photos",
    "--out",
    "people",
    "--model",
    "models/family",
    "--distance",
    "0.45",
    "--min-faces",
    "5",
    "--no-page",
    "--json",
    "--workers",
    "2",
  ]);
  assert.ok(b.kind === "cluster");
  assert.deepEqual(
    [b.model, b.distance, b.minFaces, b.page, b.json, b.workers],
    ["models/family", 0.45, 5, false, true, 2],
  );
});

Deno.test("cluster: bad command lines name the problem", () => {
  const bad: [string[], RegExp][] = [
    [["cluster", "--out", "people"], /one photo library, got 0/],
    [["cluster", "a", "b", "--out", "people"], /one photo library, got 2/],
    [["cluster", "photos"], /needs --out DIR/],
    [["cluster", "photos", "--out", "p", "--distance", "3"], /Invalid --distance "3"/],
    [["cluster", "photos", "--out", "p", "--min-faces", "1"], /Invalid --min-faces "1"/],
  ];
  for (const [argv, message] of bad) {
    assert.throws(
      () => parseCommand(argv),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      argv.join(" "),
    );
  }
});
