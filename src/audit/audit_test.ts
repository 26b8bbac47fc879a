import assert from "node:assert/strict";
import { join } from "node:path";
import { auditDataset, type AuditReport } from "./audit.ts";
import { planFixSplit, writeFixedSplit } from "./fix_split.ts";
import { jpeg, png, resized, scene, writeTree } from "./test_fixtures.ts";

/** A JPEG with one bit flipped in the middle of its entropy-coded data: other bytes, same picture. */
function flipOneByte(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let sos = 0;
  for (let i = 0; i < out.length - 1; i++) if (out[i] === 0xff && out[i + 1] === 0xda) sos = i;
  const i = Math.floor((sos + out.length) / 2);
  out[i] = out[i] === 0xfe || out[i] === 0xff ? 0x10 : out[i] ^ 1;
  return out;
}

/**
 * train/ and val/ with one of each problem:
 * exact copies within and across splits, a resized re-encoded copy across splits, a one-byte
 * change, a PNG named .jpg, a JPEG without extension, an empty file, a text file, a tiny image,
 * an empty person folder and a person who is only in val.
 */
async function fixture(root: string): Promise<{ train: string; val: string }> {
  const a = await jpeg(scene(1));
  const c = await jpeg(scene(3));
  await writeTree(root, {
    "train/Ann/a.jpg": a,
    "train/Ann/a-copy.jpg": a,
    "train/Ann/b.jpg": await jpeg(scene(2)),
    "train/Ann/c.jpg": c,
    "train/Ann/c-byte.jpg": flipOneByte(c),
    "train/Ann/f.jpg": await jpeg(scene(6)),
    "train/Bob/d.png": await png(scene(4)),
    "train/Bob/e.jpg": await png(scene(5)),
    "train/Bob/noext": await jpeg(scene(7)),
    "train/Bob/empty.jpg": new Uint8Array(0),
    "train/Bob/notes.jpg": "shopping list\n",
    "train/Bob/tiny.jpg": await jpeg(scene(8, 64, 48)),
    "val/Ann/a.jpg": a,
    "val/Ann/b-small.jpg": await jpeg(resized(scene(2), 200, 150), 70),
    "val/Dan/x.jpg": await jpeg(scene(9)),
  });
  await Deno.mkdir(join(root, "train", "Cy"));
  return { train: join(root, "train"), val: join(root, "val") };
}

const names = (files: { path: string }[], root: string) =>
  files.map((f) => f.path.slice(root.length + 1)).sort();

async function withFixture(
  fn: (root: string, report: AuditReport) => void | Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "facefit-audit-" });
  try {
    const { train, val } = await fixture(root);
    const report = await auditDataset(
      [{ name: "train", root: train }, { name: "val", root: val }],
      { cacheDir: join(root, "cache"), minPhotos: 3 },
    );
    await fn(root, report);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("auditDataset finds unreadable, misnamed and small files, and counts formats", async () => {
  await withFixture((root, r) => {
    assert.deepEqual(names(r.unreadable, root), ["train/Bob/empty.jpg", "train/Bob/notes.jpg"]);
    assert.match(r.unreadable.find((u) => u.path.endsWith("empty.jpg"))!.reason, /empty/);
    assert.match(r.unreadable.find((u) => u.path.endsWith("notes.jpg"))!.reason, /looks like text/);
    assert.deepEqual(r.formats, { jpeg: 11, png: 2, unknown: 2 });
    assert.deepEqual(
      r.misnamed.map((m) => [m.path.slice(root.length + 1), m.extension, m.format]),
      [
        ["train/Bob/e.jpg", ".jpg", "png"],
        ["train/Bob/noext", "(none)", "jpeg"],
      ],
    );
    assert.deepEqual(r.small!.map((s) => [s.path.slice(root.length + 1), s.width, s.height]), [[
      "train/Bob/tiny.jpg",
      64,
      48,
    ]]);
    assert.ok(r.warnings.some((w) => w.includes('"Cy"')), "the empty person folder");
    assert.equal(r.faces, undefined, "no analyzer: no face checks");
    assert.equal(r.mislabels, undefined);
  });
});

Deno.test("auditDataset finds exact duplicates within and across splits", async () => {
  await withFixture((root, r) => {
    const groups = r.exactDuplicates.groups;
    assert.equal(groups.length, 1);
    assert.deepEqual(names(groups[0].files, root), [
      "train/Ann/a-copy.jpg",
      "train/Ann/a.jpg",
      "val/Ann/a.jpg",
    ]);
    assert.deepEqual(groups[0].splits, ["train", "val"]);
    assert.deepEqual(r.exactDuplicates.crossSplit.map((c) => c.file.path.slice(root.length + 1)), [
      "val/Ann/a.jpg",
    ]);
    assert.equal(r.exactDuplicates.redundant, 2);
  });
});

Deno.test("auditDataset finds near-duplicates: a changed byte in one split, a resized copy across splits", async () => {
  await withFixture((root, r) => {
    const pairs = r.nearDuplicates!.pairs.map((
      p,
    ) => [p.a.path.slice(root.length + 1), p.b.path.slice(root.length + 1), p.crossSplit]);
    assert.deepEqual(
      pairs.sort(),
      [
        ["train/Ann/b.jpg", "val/Ann/b-small.jpg", true],
        ["train/Ann/c-byte.jpg", "train/Ann/c.jpg", false],
      ].sort(),
    );
    assert.equal(r.nearDuplicates!.crossSplit, 1);
  });
});

Deno.test("auditDataset reports class balance and people missing from a split", async () => {
  await withFixture((_root, r) => {
    assert.deepEqual(r.balance.counts.Ann, { train: 6, val: 2 });
    assert.deepEqual(r.balance.counts.Bob, { train: 4, val: 0 }, "unreadable files do not count");
    assert.deepEqual(r.balance.tooFew, [
      { label: "Bob", split: "val", count: 0 },
      { label: "Dan", split: "train", count: 0 },
    ]);
    assert.equal(r.balance.ratio, 1.5);
  });
});

Deno.test("auditDataset caches fingerprints by content and can skip decoding", async () => {
  const root = await Deno.makeTempDir({ prefix: "facefit-audit-" });
  try {
    const { train, val } = await fixture(root);
    const splits = [{ name: "train", root: train }, { name: "val", root: val }];
    const cacheDir = join(root, "cache");
    const first = await auditDataset(splits, { cacheDir });
    assert.deepEqual(
      first.cache.fingerprints,
      { hits: 0, misses: 13 },
      "13 distinct contents, 2 of them undecodable",
    );
    const second = await auditDataset(splits, { cacheDir });
    assert.deepEqual(
      second.cache.fingerprints,
      { hits: 11, misses: 2 },
      "decode failures are not cached",
    );
    assert.deepEqual(second.nearDuplicates, first.nearDuplicates);
    const quick = await auditDataset(splits, { fingerprints: false });
    assert.equal(quick.nearDuplicates, undefined);
    assert.equal(quick.small, undefined);
    assert.equal(quick.exactDuplicates.redundant, 2);
    assert.equal(quick.unreadable.length, 2);
    await assert.rejects(
      auditDataset([{ name: "x", root: train }, { name: "x", root: val }]),
      RangeError,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("writeFixedSplit copies all but duplicates and unreadable files, and lists what it dropped", async () => {
  await withFixture(async (root, r) => {
    const out = join(root, "fixed");
    const plan = await writeFixedSplit(r, out);
    assert.deepEqual(
      plan.dropped.map((
        d,
      ) => [d.path.slice(root.length + 1), d.reason, d.duplicateOf?.slice(root.length + 1)]).sort(),
      [
        ["train/Ann/a.jpg", "exact-duplicate", "train/Ann/a-copy.jpg"],
        ["train/Bob/empty.jpg", "unreadable", undefined],
        ["train/Bob/notes.jpg", "unreadable", undefined],
        ["val/Ann/a.jpg", "exact-duplicate", "train/Ann/a-copy.jpg"],
        ["val/Ann/b-small.jpg", "near-duplicate", "train/Ann/b.jpg"],
      ],
    );
    assert.equal(plan.copied.length, 15 - 5);
    const written: string[] = [];
    for (const split of ["train", "val"]) {
      for await (const person of Deno.readDir(join(out, split))) {
        for await (const f of Deno.readDir(join(out, split, person.name))) {
          written.push(`${split}/${person.name}/${f.name}`);
        }
      }
    }
    assert.deepEqual(written.sort(), plan.copied.map((c) => c.to.slice(out.length + 1)).sort());
    assert.ok(written.includes("train/Ann/c-byte.jpg"), "near-duplicates within a split are kept");
    assert.ok(written.includes("val/Dan/x.jpg"));
    assert.deepEqual(
      await Deno.readFile(join(out, "train/Ann/b.jpg")),
      await Deno.readFile(join(root, "train/Ann/b.jpg")),
    );
    await Deno.stat(join(root, "val/Ann/a.jpg")); // the original is still there
    const manifest = JSON.parse(await Deno.readTextFile(join(out, "audit-fix.json")));
    assert.equal(manifest.dropped.length, 5);
    await assert.rejects(writeFixedSplit(r, out), /already exists/);
    await assert.rejects(writeFixedSplit(r, join(root, "train", "fixed")), /overlaps/);
  });
});

Deno.test("planFixSplit names the output folders after the split folders", async () => {
  await withFixture((root, r) => {
    const plan = planFixSplit(r, join(root, "o"));
    assert.deepEqual(plan.folders, {
      train: join(root, "o", "train"),
      val: join(root, "o", "val"),
    });
  });
});
