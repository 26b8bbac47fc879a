/**
 * End-to-end: strangers. A `_unknown/` folder in the training data is never a person, its faces
 * calibrate the per-person thresholds stored in facefit.json, and `evaluate --open-set` scores
 * folders of people the model does not know. Photos are copied from the shared FC Barcelona set
 * into a temporary folder (never into the repository).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, haveData, PEOPLE, SHARED } from "./support/cli.ts";

/** Copy `n` photos of `person` from a split into `dest`. */
async function copy(split: string, person: string, dest: string, n: number): Promise<string[]> {
  const names = [...Deno.readDirSync(join(SHARED, split, person))].map((e) => e.name).sort();
  await Deno.mkdir(dest, { recursive: true });
  const out: string[] = [];
  for (const name of names.slice(0, n)) {
    // Prefixed with the person: `_unknown/` mixes several people.
    const to = join(dest, `${person}-${name}`);
    await Deno.copyFile(join(SHARED, split, person, name), to);
    out.push(to);
  }
  return out;
}

Deno.test({
  name: "_unknown/ is never a label; thresholds, predict margins and evaluate --open-set",
  ignore: !haveData,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "facefit-open-set-" });
    const train = join(dir, "train"), test = join(dir, "test"), model = join(dir, "model");
    const cache = join(dir, "cache");
    for (const p of PEOPLE) await copy("Train", p, join(train, p), 8);
    await copy("Train", "Aguero", join(train, "_unknown"), 4);
    await copy("Train", "Ter_stegen", join(train, "_unknown"), 4);
    for (const p of PEOPLE) await copy("Test", p, join(test, p), 3);
    const ansu = await copy("Test", "Ansu_Fati", join(test, "Ansu_Fati"), 3);
    await copy("Test", "Jordi_Alba", join(test, "_unknown"), 2);

    const t = await cli("train", "--data", train, "--model", model, "--cache", cache, "--json");
    assert.equal(t.code, 0, t.stderr);
    const info = JSON.parse(await Deno.readTextFile(join(model, "facefit.json")));
    assert.deepEqual(info.labels, PEOPLE, "_unknown is not a person");
    const o = info.openSet;
    assert.deepEqual(Object.keys(o.people), PEOPLE);
    assert.deepEqual(Object.keys(o.centroids), PEOPLE);
    assert.ok(o.centroids.Messi.length === info.embedding.size);
    assert.ok(o.data.unknownFaces >= 8, `faces from _unknown/: ${o.data.unknownFaces}`);
    assert.equal(JSON.parse(t.stdout).report.strangers, o.data.unknownFaces);
    assert.match(o.rule, new RegExp(`${o.data.unknownFaces} faces from _unknown/`));
    for (const p of PEOPLE) {
      const th = o.people[p].threshold;
      assert.ok(th > 0 && th < 2, `${p}: threshold ${th}`);
    }

    const p = await cli("predict", ...ansu, "--model", model, "--cache", cache, "--json");
    assert.equal(p.code, 0, p.stderr);
    for (const r of JSON.parse(p.stdout)) {
      for (const f of r.faces) {
        assert.ok(Math.abs(f.margin - (f.threshold - f.distance)) < 2e-4, JSON.stringify(f));
        assert.equal(f.name === "unknown", f.margin < 0, JSON.stringify(f));
        assert.equal(f.threshold, o.people[f.bestGuess].threshold);
      }
    }
    // One threshold for everyone: 0 accepts nobody.
    const strict = await cli(
      "predict",
      ...ansu,
      "--model",
      model,
      "--cache",
      cache,
      "--threshold",
      "0",
      "--json",
    );
    for (const r of JSON.parse(strict.stdout)) {
      for (const f of r.faces) assert.equal(f.name, "unknown");
    }

    const e = await cli(
      "evaluate",
      "--data",
      test,
      "--model",
      model,
      "--cache",
      cache,
      "--open-set",
      "--json",
    );
    assert.equal(e.code, 0, e.stderr);
    const report = JSON.parse(e.stdout);
    assert.equal(report.total, 9, "closed-set figures count the known people only");
    assert.equal(report.openSet.known.total, 9);
    assert.equal(report.openSet.unknown.total, 5);
    assert.deepEqual(Object.keys(report.openSet.unknownFolders).sort(), ["Ansu_Fati", "_unknown"]);
    assert.ok(report.openSet.curve.length > 10);
    const rejected = report.openSet.photos.filter((x: { known: boolean; answer: string }) =>
      !x.known && x.answer === "unknown"
    ).length;
    assert.equal(report.openSet.unknown.rejected, rejected);
    await Deno.remove(dir, { recursive: true });
  },
});
