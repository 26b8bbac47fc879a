import assert from "node:assert/strict";
import { join } from "node:path";
import { jpeg, scene, writeTree } from "../audit/test_fixtures.ts";
import { type AuditArgs, parseCommand, UsageError } from "./args.ts";
import { auditCommand, trainAuditLine } from "./audit_command.ts";
import { helpText } from "./help.ts";
import { Reporter, type TextSink } from "./output.ts";

function capture(): TextSink & { text: string } {
  const sink = { text: "", isTerminal: false, write: (t: string) => (sink.text += t) };
  return sink;
}

async function fixture(root: string): Promise<{ train: string; val: string }> {
  const a = await jpeg(scene(1));
  await writeTree(root, {
    "train/Ann/a.jpg": a,
    "train/Ann/a2.jpg": a,
    "train/Bob/b.jpg": await jpeg(scene(2)),
    "val/Ann/a.jpg": a,
    "val/Bob/b.jpg": await jpeg(scene(2), 60),
  });
  return { train: join(root, "train"), val: join(root, "val") };
}

Deno.test("parseCommand reads audit's options", () => {
  const args = parseCommand([
    "audit",
    "--data",
    "t",
    "--val",
    "v",
    "--fix-split",
    "out",
    "--no-faces",
    "--json",
  ]);
  assert.equal(args.kind, "audit");
  const a = args as AuditArgs;
  assert.deepEqual([a.data, a.val, a.fixSplit, a.faces, a.json], ["t", "v", "out", false, true]);
  const defaults = parseCommand(["audit"], (p) => p === "data/test") as AuditArgs;
  assert.deepEqual([defaults.data, defaults.val, defaults.fixSplit, defaults.faces], [
    "data/train",
    "data/test",
    undefined,
    true,
  ]);
  assert.throws(() => parseCommand(["audit", "--epochs", "3"]), UsageError);
  assert.match(helpText("audit"), /--fix-split/);
  assert.match(helpText(), /audit/);
});

Deno.test("audit --no-faces prints the findings, and --json with --fix-split lists what was dropped", async () => {
  const root = await Deno.makeTempDir({ prefix: "facefit-audit-cli-" });
  try {
    const { train, val } = await fixture(root);
    const base = parseCommand([
      "audit",
      "--data",
      train,
      "--val",
      val,
      "--no-faces",
      "--cache",
      join(root, "cache"),
    ]) as AuditArgs;
    const out = capture(), err = capture();
    assert.equal(await auditCommand(base, new Reporter(out, err)), 0);
    assert.match(
      out.text,
      /exact duplicates \(same bytes\): 1 group\(s\), 2 redundant file\(s\); 1 in a later split/,
    );
    assert.match(
      out.text,
      /\[across splits\] train\/Ann\/a\.jpg = train\/Ann\/a2\.jpg = val\/Ann\/a\.jpg/,
    );
    assert.match(out.text, /near-duplicates .*: 1 pair\(s\) in 1 group\(s\), 1 across splits/);
    assert.match(out.text, /\[across splits\] train\/Bob\/b\.jpg ~ val\/Bob\/b\.jpg/);
    assert.match(out.text, /faces: not checked/);
    assert.match(err.text, /timings: scan .*read\+hash .*checks/);

    const fixed = join(root, "fixed");
    const json = capture();
    await auditCommand({ ...base, json: true, fixSplit: fixed }, new Reporter(json, capture()));
    const report = JSON.parse(json.text);
    assert.equal(report.files, undefined, "the file inventory stays out of the JSON");
    assert.deepEqual(
      report.fixSplit.dropped.map((
        d: { path: string; reason: string },
      ) => [d.path.slice(root.length + 1), d.reason]),
      [["train/Ann/a2.jpg", "exact-duplicate"], ["val/Ann/a.jpg", "exact-duplicate"], [
        "val/Bob/b.jpg",
        "near-duplicate",
      ]],
    );
    assert.equal(report.fixSplit.copied.length, 2);
    assert.equal((await Deno.stat(join(fixed, "train", "Bob", "b.jpg"))).isFile, true);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainAuditLine sums up the cheap checks and points to the full audit", async () => {
  const root = await Deno.makeTempDir({ prefix: "facefit-audit-cli-" });
  try {
    const { train, val } = await fixture(root);
    const line = await trainAuditLine({ data: train, val }, { noFace: 3, multiFace: 4 });
    assert.match(
      line,
      /^audit: 1 exact duplicate\(s\) across train\/val, 1 redundant copy within a split, 0 unreadable, 3 without a face, 4 with several faces; /,
    );
    assert.ok(line.includes(`run "facefit audit --data ${train} --val ${val}"`), line);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
