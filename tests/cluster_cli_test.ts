/**
 * `facefit cluster` end to end on a small real library: 3 players x 6 photos, flattened into one
 * folder under neutral names. Checks the groups against the players, the same bytes with one and
 * two detection threads (each from an empty cache), the page in Chromium, the carry-over of a
 * renamed folder, that `train` runs on the output, and that its model names the groups.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { findChromium, inspectPage } from "./chromium.ts";
import { cli, haveData, PEOPLE, SHARED } from "./support/cli.ts";

const chromium = findChromium();

/**
 * Six photos a player are too few for the default linking distance (tuned on 60 to 140 faces a
 * player) to find three close faces of each; 0.45 does, and there are no look-alikes to chain.
 */
const SMALL = ["--distance", "0.45"];

interface GroupJson {
  name: string;
  source: string;
  size: number;
  faces: { file: string; box: { x: number; y: number; width: number; height: number } }[];
}

Deno.test({
  name: "cluster: groups a small real library by player, deterministically, and names carry over",
  ignore: !haveData,
  async fn(t) {
    const root = await Deno.makeTempDir({ prefix: "facefit-cluster-" });
    const library = join(root, "library");
    await Deno.mkdir(library);
    const truth = new Map<string, string>();
    let n = 0;
    for (const person of PEOPLE) {
      const dir = join(SHARED, "Train", person);
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort().slice(0, 6);
      for (const name of names) {
        const file = join(library, `photo_${String(++n).padStart(2, "0")}.jpg`);
        await Deno.copyFile(join(dir, name), file);
        truth.set(file, person);
      }
    }
    const before = [...Deno.readDirSync(library)].map((e) => e.name).sort();

    const out = join(root, "groups"), again = join(root, "groups-1");
    const one = await cli(
      "cluster",
      library,
      ...SMALL,
      "--out",
      out,
      "--json",
      "--workers",
      "2",
      "--cache",
      join(root, "cache"),
      "--backend",
      "wasm",
    );
    assert.equal(one.code, 0, one.stderr);
    const result = JSON.parse(one.stdout) as { groups: GroupJson[]; unsorted: unknown[] };

    await t.step("every group is one player, and each player has a group", () => {
      const players = result.groups.map((g) => new Set(g.faces.map((f) => truth.get(f.file))));
      for (const [k, p] of players.entries()) {
        assert.equal(p.size, 1, `${result.groups[k].name} mixes ${[...p]}`);
      }
      assert.deepEqual(players.map((p) => [...p][0]).sort(), [...PEOPLE].sort());
      for (const g of result.groups) assert.ok(g.size >= 3);
    });

    await t.step("the same bytes from an empty cache with one thread", async () => {
      const two = await cli(
        "cluster",
        library,
        ...SMALL,
        "--out",
        again,
        "--workers",
        "1",
        "--no-cache",
        "--backend",
        "wasm",
      );
      assert.equal(two.code, 0, two.stderr);
      assert.equal(
        await Deno.readTextFile(join(again, "clusters.json")),
        await Deno.readTextFile(join(out, "clusters.json")),
      );
      assert.deepEqual([...Deno.readDirSync(library)].map((e) => e.name).sort(), before);
    });

    await t.step({
      name: "Chromium: the page shows every group with its thumbnails, and no errors",
      ignore: chromium === undefined,
      async fn() {
        const page = await inspectPage<{ groups: [string, number, number][]; summary: string }>(
          chromium!,
          `file://${join(out, "clusters.html")}`,
          `({
            groups: [...document.querySelectorAll("section.group")].map((s) => [
              s.dataset.name,
              Number(s.dataset.size),
              [...s.querySelectorAll(".faces img")].filter((i) => i.complete && i.naturalWidth === 64).length,
            ]),
            summary: document.getElementById("summary").textContent,
          })`,
        );
        assert.deepEqual(page.errors, []);
        assert.deepEqual(
          page.value.groups,
          result.groups.map((g) => [g.name, g.size, g.size]),
        );
        assert.match(page.value.summary, /^18 photos/);
      },
    });

    await t.step(
      "a renamed folder keeps its name on the next run; train runs on it; its model names groups",
      async () => {
        const renamed = result.groups.map((g) => truth.get(g.faces[0].file)!);
        for (const [k, g] of result.groups.entries()) {
          await Deno.rename(join(out, g.name), join(out, renamed[k]));
        }
        const next = await cli(
          "cluster",
          library,
          ...SMALL,
          "--out",
          out,
          "--json",
          "--cache",
          join(root, "cache"),
          "--backend",
          "wasm",
        );
        assert.equal(next.code, 0, next.stderr);
        const groups = (JSON.parse(next.stdout) as { groups: GroupJson[] }).groups;
        assert.deepEqual(groups.map((g) => [g.name, g.source]), renamed.map((r) => [r, "carried"]));
        const model = join(root, "model");
        const trained = await cli(
          "train",
          "--data",
          out,
          "--model",
          model,
          "--cache",
          join(root, "cache"),
          "--backend",
          "wasm",
          "--json",
        );
        assert.equal(trained.code, 0, trained.stderr);
        const info = JSON.parse(await Deno.readTextFile(join(model, "facefit.json")));
        assert.deepEqual(info.labels, [...renamed].sort());

        // A fresh folder, named by the model: each group gets its player's name.
        const named = await cli(
          "cluster",
          library,
          ...SMALL,
          "--out",
          join(root, "named"),
          "--model",
          model,
          "--json",
          "--no-page",
          "--cache",
          join(root, "cache"),
          "--backend",
          "wasm",
        );
        assert.equal(named.code, 0, named.stderr);
        const byModel = (JSON.parse(named.stdout) as { groups: GroupJson[] }).groups;
        assert.deepEqual(
          byModel.map((g) => [g.name, g.source]),
          byModel.map((g) => [truth.get(g.faces[0].file), "model"]),
        );
      },
    );

    await Deno.remove(root, { recursive: true });
  },
});
