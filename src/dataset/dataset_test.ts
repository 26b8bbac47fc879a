import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultCacheDir, JsonCache, sha256Hex } from "./cache.ts";
import { seededRandom, shuffled } from "./random.ts";
import { scanDataset, UNKNOWN_FOLDER } from "./scan.ts";
import { stratifiedSplit } from "./split.ts";

Deno.test("seededRandom repeats for a seed and differs across seeds", () => {
  const a = seededRandom(7), b = seededRandom(7), c = seededRandom(8);
  const xs = Array.from({ length: 5 }, a);
  assert.deepEqual(xs, Array.from({ length: 5 }, b));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, c));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const items = Array.from({ length: 50 }, (_, i) => i);
  const s = shuffled(items, seededRandom(1));
  assert.deepEqual([...s].sort((p, q) => p - q), items);
  assert.notDeepEqual(s, items);
});

Deno.test("stratifiedSplit keeps each person's share and is repeatable", () => {
  const items = [
    ...Array.from({ length: 10 }, (_, i) => ({ label: "a", i })),
    ...Array.from({ length: 5 }, (_, i) => ({ label: "b", i })),
    { label: "c", i: 0 },
  ];
  const { train, val } = stratifiedSplit(items, 0.2, 3);
  assert.equal(val.filter((v) => v.label === "a").length, 2);
  assert.equal(val.filter((v) => v.label === "b").length, 1);
  assert.equal(val.filter((v) => v.label === "c").length, 0, "a single photo stays in training");
  assert.equal(train.length + val.length, items.length);
  assert.deepEqual(stratifiedSplit(items, 0.2, 3), { train, val });
  assert.throws(() => stratifiedSplit(items, 1, 3), RangeError);
});

Deno.test("scanDataset reads person folders, skips hidden and non-image files, reports loops", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "Ann", "2019"), { recursive: true });
    await Deno.mkdir(join(root, "Bob"));
    await Deno.mkdir(join(root, "Empty"));
    await Deno.mkdir(join(root, UNKNOWN_FOLDER));
    await Deno.mkdir(join(root, ".git"));
    await Deno.writeFile(join(root, "Ann", "a 1.jpg"), new Uint8Array([1]));
    await Deno.writeFile(join(root, "Ann", "2019", "ö.png"), new Uint8Array([1]));
    await Deno.writeFile(join(root, "Ann", "notes.txt"), new Uint8Array([1]));
    await Deno.writeFile(join(root, "Ann", ".DS_Store"), new Uint8Array([1]));
    await Deno.writeFile(join(root, "Bob", "noext"), new Uint8Array([1]));
    await Deno.writeFile(join(root, UNKNOWN_FOLDER, "x.jpg"), new Uint8Array([1]));
    await Deno.writeFile(join(root, "stray.jpg"), new Uint8Array([1]));
    await Deno.symlink(join(root, "Bob"), join(root, "Bob", "loop"));
    await Deno.symlink("self.jpg", join(root, "Bob", "self.jpg"));
    await Deno.symlink("gone.jpg", join(root, "Bob", "dangling.jpg"));
    const ds = await scanDataset(root);
    assert.deepEqual(ds.labels, ["Ann", "Bob"]);
    assert.deepEqual(ds.files.map((f) => [f.name, f.label]), [
      [join("Ann", "2019", "ö.png"), "Ann"],
      [join("Ann", "a 1.jpg"), "Ann"],
      [join("Bob", "noext"), "Bob"],
    ]);
    assert.deepEqual(ds.unknown.map((f) => f.label), [UNKNOWN_FOLDER]);
    assert.ok(ds.skipped.some((s) => s.reason.includes("symlink loop")));
    // A link to itself or to nothing is skipped with its reason, and not taken as a photo too.
    const reasons = Object.fromEntries(ds.skipped.map((s) => [s.path.split("/").pop(), s.reason]));
    assert.match(reasons["self.jpg"], /leads back to itself/);
    assert.match(reasons["dangling.jpg"], /a symbolic link to nothing/);
    assert.ok(ds.warnings.some((w) => w.includes('"Empty"')));
    assert.ok(ds.warnings.some((w) => w.includes('"stray.jpg"')));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  await assert.rejects(() => scanDataset(join(root, "missing")), /Cannot read dataset folder/);
});

Deno.test("JsonCache stores by key and version, and a damaged entry is a miss", async () => {
  const root = await Deno.makeTempDir();
  try {
    const key = await sha256Hex(new TextEncoder().encode("abc"));
    assert.equal(key, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const v1 = new JsonCache<{ n: number }>(root, "model-v1");
    assert.equal(await v1.get(key), undefined);
    assert.equal(await v1.set(key, { n: 3 }), undefined);
    assert.deepEqual(await v1.get(key), { n: 3 });
    assert.equal(await new JsonCache(root, "model-v2").get(key), undefined);
    await Deno.writeTextFile(join(v1.dir, key.slice(0, 2), `${key}.json`), "{truncated");
    assert.equal(await v1.get(key), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  assert.ok(defaultCacheDir().length > 0);
});
