import assert from "node:assert/strict";
import { DEFAULTS, parseCommand, UsageError } from "./args.ts";

Deno.test("evaluate --open-set and --threshold; --threshold is a distance up to 2", () => {
  const plain = parseCommand(["evaluate"], () => false);
  assert.ok(plain.kind === "evaluate" && !plain.openSet && plain.threshold === undefined);
  const a = parseCommand(["evaluate", "--open-set", "--threshold", "0.4"], () => false);
  assert.ok(a.kind === "evaluate" && a.openSet && a.threshold === 0.4);
  const p = parseCommand(["predict", "x.jpg", "--threshold", "1.2"], () => false);
  assert.ok(p.kind === "predict" && p.threshold === 1.2);
  assert.throws(
    () => parseCommand(["predict", "x.jpg", "--threshold", "2.5"], () => false),
    (e) => e instanceof UsageError && /Invalid --threshold "2.5"/.test(e.message),
  );
});

Deno.test("train --stranger-acceptance is a share, 0.05 by default", () => {
  const d = parseCommand(["train"], () => false);
  assert.ok(d.kind === "train" && d.strangerAcceptance === DEFAULTS.strangerAcceptance);
  const t = parseCommand(["train", "--stranger-acceptance", "0.03"], () => false);
  assert.ok(t.kind === "train" && t.strangerAcceptance === 0.03);
  assert.throws(
    () => parseCommand(["train", "--stranger-acceptance", "5"], () => false),
    /Invalid --stranger-acceptance "5"/,
  );
});
