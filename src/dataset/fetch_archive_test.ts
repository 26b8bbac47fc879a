import assert from "node:assert/strict";
import { join } from "node:path";
import { zipSync } from "npm:fflate@0.8.3";
import { unpackFolders } from "./fetch_archive.ts";

Deno.test("unpackFolders takes only the asked-for folders below the archive's top folder", async () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const zip = zipSync({
    "repo-master/Train/Ann/a.jpg": bytes("a"),
    "repo-master/Test/Ann/b.jpg": bytes("b"),
    "repo-master/notebook.ipynb": bytes("{}"),
    "repo-master/Trainer/x.jpg": bytes("x"),
  });
  const dest = await Deno.makeTempDir();
  try {
    assert.equal(await unpackFolders(zip, ["Train", "Test"], dest), 2);
    assert.equal(await Deno.readTextFile(join(dest, "Train", "Ann", "a.jpg")), "a");
    assert.equal(await Deno.readTextFile(join(dest, "Test", "Ann", "b.jpg")), "b");
    await assert.rejects(() => Deno.stat(join(dest, "notebook.ipynb")));
    await assert.rejects(() => Deno.stat(join(dest, "Trainer")));
  } finally {
    await Deno.remove(dest, { recursive: true });
  }
  await assert.rejects(
    () => unpackFolders(bytes("not a zip"), ["Train"], "/nonexistent"),
    /Cannot unpack the archive/,
  );
});
