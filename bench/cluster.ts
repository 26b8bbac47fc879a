/**
 * `facefit cluster` on a labelled Train/Test collection with the labels hidden, scored against them.
 *
 * 1. Flatten: every photo of Train and Test is linked into one folder as `train_0001.jpg`,
 *    `test_0002.jpg`, ... (split and a number, never the person), so nothing leaks a label.
 * 2. Time `facefit cluster` on it (with --cold, first with an empty cache), as a subprocess, with
 *    /usr/bin/time for the peak RSS.
 * 3. Score: the true person of a face is its photo's folder, but only for the face that train's
 *    face chooser takes as that person (src/train/choose_face.ts); other faces in a photo
 *    (teammates, fans) belong to nobody and are not scored. BCubed precision and recall over
 *    those player faces (an unsorted face is a group of its own), the largest groups, and groups
 *    mixing two people, for each linking distance in --distances (the descriptors are computed
 *    once and grouped again).
 * 4. With --train: rename the largest groups to their people, run cluster again into the same
 *    folder (the names must carry over), move the faces of the groups left unnamed to _unsorted/,
 *    drop the links to Test photos (in every folder), train on the folder, and
 *    evaluate it and a model trained on the labelled Train folder on the de-duplicated Test split
 *    (`audit --fix-split`: Test minus the copies and near-copies of Train photos).
 *
 *   deno run -A bench/cluster.ts [--data DIR] [--cache DIR] [--distances 0.4,0.45,0.5]
 *     [--cold] [--train] [--work DIR]
 */
import { parseArgs } from "node:util";
import { extname, join, resolve } from "node:path";
import { initBackend } from "../src/backend/backend.ts";
import { scanDataset } from "../src/dataset/scan.ts";
import { FaceAnalyzer } from "../src/embed/photo.ts";
import { normalize } from "../src/head/vectors.ts";
import { chooseFaces } from "../src/train/choose_face.ts";
import { type Clustering, clusterLibrary, groupFaces } from "../src/cluster/mod.ts";
import { DEFAULT_DISTANCE } from "../src/cluster/density.ts";
import { FCBARCELONA } from "./run_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: FCBARCELONA },
    cache: { type: "string" },
    distances: { type: "string", default: "0.35,0.4,0.45,0.5,0.55,0.6" },
    cold: { type: "boolean", default: false },
    train: { type: "boolean", default: false },
    work: { type: "string" },
  },
});
const data = resolve(values.data!);
const work = values.work
  ? resolve(values.work)
  : await Deno.makeTempDir({ prefix: "facefit-cluster-" });
await Deno.mkdir(work, { recursive: true });
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const cacheArgs = values.cache ? ["--cache", values.cache] : [];
const log = (s: string) => console.log(s);

// 1. Flatten.
const library = join(work, "library");
const truthOf = new Map<string, string>(); // flattened path -> person
const splitOf = new Map<string, string>();
await Deno.remove(library, { recursive: true }).catch(() => {});
await Deno.mkdir(library);
let n = 0;
for (const split of ["Train", "Test"]) {
  const set = await scanDataset(join(data, split));
  for (const f of set.files) {
    const name = `${split.toLowerCase()}_${String(++n).padStart(4, "0")}${extname(f.path)}`;
    await Deno.symlink(resolve(f.path), join(library, name));
    truthOf.set(join(library, name), f.label);
    splitOf.set(join(library, name), split);
  }
}
log(`${n} photos of ${new Set(truthOf.values()).size} people flattened into ${library}`);

// 2. Time the CLI.
interface Timed {
  code: number;
  seconds: number;
  peakMiB: number;
  /** User + system CPU time: on a shared machine, the figure that does not depend on the others. */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}
async function timed(args: string[]): Promise<Timed> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "TIME %e %M %U %S", Deno.execPath(), "run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
  const stdout = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) throw new Error(`facefit ${args.join(" ")} failed:\n${stderr}`);
  return {
    code: out.code,
    seconds: Number(m?.[1]),
    peakMiB: Math.round(Number(m?.[2]) / 1024),
    cpuSeconds: Math.round((Number(m?.[3]) + Number(m?.[4])) * 10) / 10,
    stdout,
    stderr,
  };
}
const timings: Record<string, { seconds: number; peakMiB: number; cpuSeconds: number }> = {};
const out = join(work, "groups");
if (values.cold) {
  const cold = join(work, "cache-cold");
  await Deno.remove(cold, { recursive: true }).catch(() => {});
  const t = await timed(["cluster", library, "--out", join(work, "groups-cold"), "--cache", cold]);
  timings["cluster, cold (empty cache)"] = t;
  const w = await timed(["cluster", library, "--out", join(work, "groups-cold"), "--cache", cold]);
  timings["cluster, warm (same cache)"] = w;
  log(`cold cluster ${t.seconds} s ${t.peakMiB} MiB; warm ${w.seconds} s ${w.peakMiB} MiB`);
}
await Deno.remove(out, { recursive: true }).catch(() => {});
const cliRun = await timed(["cluster", library, "--out", out, "--json", ...cacheArgs]);
timings["cluster (bench cache)"] = cliRun;
const cliJson = JSON.parse(cliRun.stdout);

// 3. Score, in process, at every distance.
await initBackend("wasm");
const analyzer = await FaceAnalyzer.load({ cacheDir: values.cache, workers: 2 });
const clustering = await clusterLibrary(analyzer, library);
analyzer.dispose();
const truth = playerFaces(clustering);
log(
  `${clustering.faces.length} faces in ${clustering.photos} photos; ${truth.size} are the ` +
    `photos' players (train's face chooser), ${clustering.faces.length - truth.size} other faces`,
);
const sameAsCli =
  JSON.stringify(cliJson.groups.map((g: { faces: unknown[] }) => g.faces.length)) ===
    JSON.stringify(clustering.groups.map((g) => g.faces.length));
log(`CLI and library give the same group sizes: ${sameAsCli}`);

const photoIds = new Map<string, number>();
const photo = Int32Array.from(clustering.faces, (f) => {
  if (!photoIds.has(f.file)) photoIds.set(f.file, photoIds.size);
  return photoIds.get(f.file)!;
});
const rows = [];
for (const distance of values.distances!.split(",").map(Number)) {
  const g = groupFaces(clustering.points, photo, clustering.faces, { distance });
  rows.push({ distance, ...score({ ...clustering, ...g }, truth) });
}
log("");
log(
  "| distance | BCubed precision | BCubed recall | groups | largest groups = the people | mixed groups | player faces unsorted | other faces in groups |",
);
log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  log(
    `| ${r.distance}${r.distance === DEFAULT_DISTANCE ? " (default)" : ""} | ${
      r.precision.toFixed(4)
    } | ${
      r.recall.toFixed(4)
    } | ${r.groups} | ${r.topArePeople} | ${r.mixed} | ${r.unsortedPlayers} | ${r.othersGrouped} |`,
  );
}
const chosen = rows.find((r) => r.distance === DEFAULT_DISTANCE) ??
  score(clustering, truth) as unknown as typeof rows[number];
log("");
log(`groups at ${clustering.distance}: ${chosen.groupList.join(", ")}`);

// 4. Rename, carry over, train.
const result: Record<string, unknown> = { data, photos: n, timings, rows };
if (values.train) {
  const people = new Set(truthOf.values()).size;
  const top = chosen.majority.slice(0, people);
  for (const [k, person] of top.entries()) {
    await Deno.rename(join(out, cliJson.groups[k].name), join(out, person));
  }
  const again = await timed(["cluster", library, "--out", out, "--json", ...cacheArgs]);
  const carried = JSON.parse(again.stdout).groups.slice(0, people).map((g: { name: string }) =>
    g.name
  );
  const carriedOk = JSON.stringify(carried) === JSON.stringify(top);
  log(`names after renaming and a second run: ${carried.join(", ")} (carried: ${carriedOk})`);
  // The groups left unnamed are not people to train: their faces go to _unsorted/, as a person
  // who named the eight groups would leave them.
  let unnamed = 0;
  for await (const folder of Deno.readDir(out)) {
    if (!folder.isDirectory || !/^person_\d+$/.test(folder.name)) continue;
    for await (const e of Deno.readDir(join(out, folder.name))) {
      await Deno.rename(
        join(out, folder.name, e.name),
        join(out, "_unsorted", `${folder.name}~${e.name}`),
      );
    }
    await Deno.remove(join(out, folder.name));
    unnamed++;
  }
  log(`moved the faces of ${unnamed} unnamed groups to _unsorted/`);
  let dropped = 0;
  for await (const folder of Deno.readDir(out)) {
    if (!folder.isDirectory) continue;
    for await (const e of Deno.readDir(join(out, folder.name))) {
      if (e.name.startsWith("test_")) {
        await Deno.remove(join(out, folder.name, e.name));
        dropped++;
      }
    }
  }
  log(`dropped ${dropped} links to Test photos from ${out}`);
  const dedup = join(work, "dedup");
  await Deno.remove(dedup, { recursive: true }).catch(() => {});
  await timed([
    "audit",
    "--data",
    join(data, "Train"),
    "--val",
    join(data, "Test"),
    "--fix-split",
    dedup,
    ...cacheArgs,
  ]);
  const testDir = join(dedup, "Test");
  const testPhotos = (await scanDataset(testDir)).files.length;
  const models: Record<string, unknown> = {};
  for (
    const [label, trainData] of [["labelled Train", join(data, "Train")], ["cluster groups", out]]
  ) {
    const model = join(work, `model-${label.replace(" ", "-")}`);
    const t = await timed(["train", "--data", trainData, "--model", model, ...cacheArgs]);
    const e = await timed([
      "evaluate",
      "--data",
      testDir,
      "--model",
      model,
      "--json",
      "--report",
      join(work, "report.html"),
      ...cacheArgs,
    ]);
    const ev = JSON.parse(e.stdout);
    models[label] = {
      accuracy: ev.accuracy,
      correct: ev.correct,
      total: ev.total,
      trainSeconds: t.seconds,
    };
    log(
      `${label}: trained in ${t.seconds} s; de-duplicated Test accuracy ` +
        `${(100 * ev.accuracy).toFixed(1)}% (${ev.correct}/${ev.total} of ${testPhotos} photos)`,
    );
  }
  Object.assign(result, { carried, carriedOk, dropped, models });
}
for (const [k, t] of Object.entries(timings)) {
  log(`${k}: ${t.seconds} s, peak RSS ${t.peakMiB} MiB`);
}
const brief = Object.fromEntries(
  Object.entries(timings).map((
    [k, t],
  ) => [k, { seconds: t.seconds, peakMiB: t.peakMiB, cpuSeconds: t.cpuSeconds }]),
);
await Deno.writeTextFile(
  join(work, "bench-cluster.json"),
  JSON.stringify({ ...result, timings: brief }, null, 2),
);
log(`figures in ${join(work, "bench-cluster.json")}`);

/** Face index -> person, for the face train's chooser takes in each photo. */
function playerFaces(c: Clustering): Map<number, string> {
  const byFile = new Map<string, number[]>();
  c.faces.forEach((f, i) => {
    const list = byFile.get(f.file) ?? [];
    list.push(i);
    byFile.set(f.file, list);
  });
  const files = [...byFile.keys()];
  const dim = c.points.dim;
  const photos = files.map((file) => {
    const idx = byFile.get(file)!;
    return {
      label: truthOf.get(file)!,
      embeddings: idx.map((i) => normalize(c.points.data.subarray(i * dim, (i + 1) * dim))),
      areas: idx.map((i) => c.faces[i].box.width * c.faces[i].box.height),
    };
  });
  const { choices } = chooseFaces(photos);
  const out = new Map<number, string>();
  choices.forEach((choice, k) => {
    if (choice.index >= 0) out.set(byFile.get(files[k])![choice.index], photos[k].label);
  });
  return out;
}

/** BCubed over the player faces, and the checks the issue asks for. */
function score(c: Clustering, truth: Map<number, string>) {
  const groupOf = new Map<number, number>();
  c.groups.forEach((g, k) => g.faces.forEach((i) => groupOf.set(i, k)));
  const players = [...truth.keys()];
  const clusterKey = (i: number) => (groupOf.has(i) ? `g${groupOf.get(i)}` : `u${i}`);
  const byCluster = new Map<string, number[]>();
  const byPerson = new Map<string, number>();
  for (const i of players) {
    const key = clusterKey(i);
    byCluster.set(key, [...(byCluster.get(key) ?? []), i]);
    byPerson.set(truth.get(i)!, (byPerson.get(truth.get(i)!) ?? 0) + 1);
  }
  let precision = 0, recall = 0;
  for (const i of players) {
    const mates = byCluster.get(clusterKey(i))!;
    const same = mates.filter((j) => truth.get(j) === truth.get(i)).length;
    precision += same / mates.length;
    recall += same / byPerson.get(truth.get(i)!)!;
  }
  const majority = c.groups.map((g) => {
    const counts = new Map<string, number>();
    for (const i of g.faces) {
      if (truth.has(i)) counts.set(truth.get(i)!, (counts.get(truth.get(i)!) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "nobody";
  });
  const mixed =
    c.groups.filter((g) =>
      new Set(g.faces.filter((i) => truth.has(i)).map((i) => truth.get(i))).size > 1
    ).length;
  const people = byPerson.size;
  const top = majority.slice(0, people);
  const groupList = c.groups.map((g, k) => {
    const own = g.faces.filter((i) => truth.get(i) === majority[k]).length;
    return `${majority[k]} ${own}/${g.faces.length}`;
  });
  return {
    precision: precision / players.length,
    recall: recall / players.length,
    groups: c.groups.length,
    topArePeople: new Set(top).size === people && !top.includes("nobody"),
    mixed,
    unsortedPlayers: players.filter((i) => !groupOf.has(i)).length,
    othersGrouped: [...groupOf.keys()].filter((i) => !truth.has(i)).length,
    majority,
    groupList,
  };
}
