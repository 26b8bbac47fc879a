import assert from "node:assert/strict";
import { DEFAULTS, parseCommand, UsageError } from "./args.ts";
import { helpText } from "./help.ts";

Deno.test("tag LIBRARY: --xmp, --jsonl (stdout without --xmp), --state / --no-state", () => {
  const plain = parseCommand(["tag", "Pictures"]);
  assert.deepEqual(
    plain.kind === "tag" && [plain.library, plain.model, plain.xmp, plain.jsonl, plain.state],
    ["Pictures", DEFAULTS.model, false, "-", undefined],
  );
  const x = parseCommand(["tag", "P", "--xmp", "--model", "m", "--no-state", "--threshold", "0.4"]);
  assert.ok(x.kind === "tag" && x.xmp && x.jsonl === undefined && x.state === false);
  assert.ok(x.kind === "tag" && x.threshold === 0.4 && x.model === "m");
  const j = parseCommand(["tag", "P", "--xmp", "--jsonl", "out.jsonl", "--state", "s.jsonl"]);
  assert.ok(j.kind === "tag" && j.jsonl === "out.jsonl" && j.state === "s.jsonl");
  assert.throws(
    () => parseCommand(["tag"]),
    (e) => e instanceof UsageError && /needs a photo library/.test(e.message),
  );
  assert.throws(() => parseCommand(["tag", "a", "b"]), /one library, not 2/);
  assert.throws(() => parseCommand(["tag", "a", "--state", "s", "--no-state"]), /not both/);
  assert.match(helpText("tag"), /facefit tag: name the faces/);
  assert.match(helpText(), /\n {2}tag +name the faces/);
});

Deno.test("train --labels: folders by default, xmp takes no --val", () => {
  const d = parseCommand(["train"], () => true);
  assert.ok(d.kind === "train" && (d.labels ?? "folders") === "folders");
  const x = parseCommand(["train", "--labels", "xmp", "--data", "Pictures"], () => true);
  assert.ok(x.kind === "train" && x.labels === "xmp" && x.val === undefined);
  assert.throws(() => parseCommand(["train", "--labels", "xmp", "--val", "v"]), /drop --val/);
  assert.throws(
    () => parseCommand(["train", "--labels", "csv"]),
    /Unknown --labels "csv": choose one of folders, xmp/,
  );
});
