/**
 * Figures for `facefit tag` on FC Barcelona, in one run (`deno run -A bench/tag.ts [--only NAME]`):
 *
 * - round trip: train on Train (folders), `tag --xmp` a copy of Train, rename its folders to
 *   meaningless names, `train --labels xmp` on the copy, `evaluate` both models on Test;
 * - speed: `evaluate` and `tag --xmp` on the 222 Test photos, each with a cold cache of its own and
 *   again warm, and a second (resumed) `tag` run;
 * - memory: peak RSS of `tag --xmp` over 200 and over 2,000 copies of the JPEGs with fresh bytes
 *   (a unique JPEG comment in each, so every copy misses the cache).
 *
 * Everything is written under a temporary folder (photos are copied, never changed in place).
 *
 * @module
 */
import { join } from "node:path";
import { runCli } from "./run_cli.ts";
import { SHARED } from "../tests/support/cli.ts";
import { readImageSize } from "../src/image/size.ts";

const only = Deno.args.includes("--only") ? Deno.args[Deno.args.indexOf("--only") + 1] : undefined;
const root = await Deno.makeTempDir({ prefix: "facefit-bench-tag-" });
const TRAIN = join(SHARED, "Train"), TEST = join(SHARED, "Test");

async function run(label: string, args: string[], cache?: string) {
  const started = performance.now();
  const r = await runCli(args, cache);
  const seconds = (performance.now() - started) / 1000;
  if (r.code !== 0) throw new Error(`${label} failed (${r.code}):\n${r.stderr}`);
  console.log(`${label}: ${seconds.toFixed(1)} s`);
  return { ...r, seconds };
}

async function copyTree(from: string, to: string) {
  await Deno.mkdir(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    const target = join(to, e.name);
    if (e.isDirectory) await copyTree(join(from, e.name), target);
    else await Deno.copyFile(join(from, e.name), target);
  }
}

function accuracy(stdout: string): { accuracy: number; correct: number; total: number } {
  const r = JSON.parse(stdout);
  return { accuracy: r.accuracy, correct: r.correct, total: r.total };
}

if (!only || only === "round-trip") {
  console.log("== round trip ==");
  const folders = join(root, "model-folders"), fromXmp = join(root, "model-xmp");
  const lib = join(root, "train-copy");
  await run("train on Train (folders)", ["train", "--data", TRAIN, "--model", folders, "-q"]);
  await copyTree(TRAIN, lib);
  const tag = await run("tag --xmp over the copy", [
    "tag",
    lib,
    "--model",
    folders,
    "--xmp",
    "--json",
    "-q",
  ]);
  console.log(`  ${tag.stdout.trim()}`);
  // The person folders become meaningless names: the names now live only in the sidecars.
  const people = [...Deno.readDirSync(lib)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  for (const [i, person] of people.entries()) {
    await Deno.rename(join(lib, person), join(lib, `p${i}`));
  }
  const x = await run("train --labels xmp on the copy", [
    "train",
    "--labels",
    "xmp",
    "--data",
    lib,
    "--model",
    fromXmp,
  ]);
  console.log(
    `  ${x.stderr.split("\n").filter((l) => /labels from XMP|trained on/.test(l)).join("\n  ")}`,
  );
  const a = accuracy(
    (await run("evaluate folders model", [
      "evaluate",
      "--data",
      TEST,
      "--model",
      folders,
      "--json",
      "-q",
      "--report",
      join(root, "a.html"),
    ])).stdout,
  );
  const b = accuracy(
    (await run("evaluate xmp model", [
      "evaluate",
      "--data",
      TEST,
      "--model",
      fromXmp,
      "--json",
      "-q",
      "--report",
      join(root, "b.html"),
    ])).stdout,
  );
  console.log(
    `  Test accuracy, trained on folders: ${
      (a.accuracy * 100).toFixed(1)
    }% (${a.correct}/${a.total})`,
  );
  console.log(
    `  Test accuracy, trained on XMP:     ${
      (b.accuracy * 100).toFixed(1)
    }% (${b.correct}/${b.total})`,
  );
}

if (!only || only === "speed") {
  console.log("== speed: the 222 Test photos ==");
  const model = join(root, "model-speed");
  await run("train on Train", ["train", "--data", TRAIN, "--model", model, "-q"]);
  const lib = join(root, "test-copy");
  await copyTree(TEST, lib);
  const evalCache = join(root, "cache-evaluate"), tagCache = join(root, "cache-tag");
  const report = ["--report", join(root, "speed.html"), "--json", "-q"];
  const e1 = await run("evaluate, cold cache", [
    "evaluate",
    "--data",
    lib,
    "--model",
    model,
    ...report,
  ], evalCache);
  const tagXmp = ["tag", lib, "--model", model, "--xmp", "--json", "-q"];
  const t1 = await run("tag --xmp, cold cache", tagXmp, tagCache);
  const t2 = await run("tag --xmp again (resumed: nothing to do)", tagXmp, tagCache);
  const e3 = await run("evaluate, warm cache", [
    "evaluate",
    "--data",
    lib,
    "--model",
    model,
    ...report,
  ], evalCache);
  const t3 = await run("tag --xmp --no-state, warm cache (every photo named again)", [
    "tag",
    lib,
    "--model",
    model,
    "--xmp",
    "--no-state",
    "--json",
    "-q",
  ], tagCache);
  const n = 222;
  console.log(
    `  cold: evaluate ${(n / e1.seconds).toFixed(2)} photos/s, tag ${
      (n / t1.seconds).toFixed(2)
    } photos/s (wall, incl. start-up)`,
  );
  console.log(
    `  warm: evaluate ${(n / e3.seconds).toFixed(2)} photos/s, tag ${
      (n / t3.seconds).toFixed(2)
    } photos/s`,
  );
  console.log(`  resumed second run: ${t2.seconds.toFixed(2)} s; ${t2.stdout.trim()}`);
}

if (!only || only === "memory") {
  console.log("== memory: fresh-byte copies ==");
  const model = join(root, "model-memory");
  await run("train on Train", ["train", "--data", TRAIN, "--model", model, "-q"]);
  // Largest first, so that both runs hold the largest photos (the heap grows to the largest
  // image decoded, whatever the count): 200 = the 200 largest, 2,000 = every JPEG in turn.
  const jpegs: { path: string; pixels: number }[] = [];
  for (const split of [TRAIN, TEST]) {
    for (const person of [...Deno.readDirSync(split)].map((e) => e.name)) {
      for (const e of Deno.readDirSync(join(split, person))) {
        const path = join(split, person, e.name);
        const bytes = await Deno.readFile(path);
        const size = readImageSize(bytes);
        if (bytes[0] === 0xff && bytes[1] === 0xd8 && size) {
          jpegs.push({ path, pixels: size.width * size.height });
        }
      }
    }
  }
  jpegs.sort((a, b) => b.pixels - a.pixels || (a.path < b.path ? -1 : 1));
  for (const n of [200, 2000]) {
    const lib = join(root, `fresh-${n}`);
    await Deno.mkdir(lib);
    for (let i = 0; i < n; i++) {
      const bytes = await Deno.readFile(jpegs[i % jpegs.length].path);
      // A JPEG comment (COM) right after SOI makes the bytes, and so the cache key, new.
      const note = new TextEncoder().encode(`facefit bench copy ${n}-${i}`);
      const com = [0xff, 0xfe, (note.length + 2) >> 8, (note.length + 2) & 0xff];
      const out = new Uint8Array(bytes.length + com.length + note.length);
      out.set(bytes.subarray(0, 2));
      out.set(com, 2);
      out.set(note, 6);
      out.set(bytes.subarray(2), 6 + note.length);
      await Deno.writeFile(join(lib, `${String(i).padStart(4, "0")}.jpg`), out);
    }
    const r = await run(`tag --xmp over ${n} fresh photos`, [
      "tag",
      lib,
      "--model",
      model,
      "--xmp",
      "--json",
      "-q",
    ], join(root, `cache-${n}`));
    const s = JSON.parse(r.stdout);
    console.log(
      `  ${n} photos: peak RSS ${s.peakRssMiB} MiB, ${
        (n / r.seconds).toFixed(2)
      } photos/s, ${s.sidecarsWritten} sidecars`,
    );
  }
}
await Deno.remove(root, { recursive: true });
