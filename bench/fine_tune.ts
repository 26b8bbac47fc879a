/**
 * Head-only versus fine-tuning 1 and 2 backbone stages on a folder-per-person collection with a
 * Train/Test split (default: the shared FC Barcelona photos). Each configuration trains in its own
 * process on Train (validation split from Train, fixed seed), then is evaluated on the unseen
 * Test: accuracy over all photos and over those that are not byte-copies of a Train photo, train
 * time and the process's peak RSS. Prints a Markdown table (and JSON with --json).
 *
 *   deno run -A bench/fine_tune.ts [--data DIR] [--configs 0,1,2] [--cache DIR] [--json]
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { sha256Hex } from "../src/dataset/cache.ts";
import { scanDataset } from "../src/dataset/scan.ts";
import { FCBARCELONA, runCli } from "./run_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: FCBARCELONA },
    configs: { type: "string", default: "0,1,2" },
    cache: { type: "string" },
    seed: { type: "string", default: "42" },
    augment: { type: "string", default: "light" },
    json: { type: "boolean", default: false },
  },
});
const trainDir = join(values.data!, "Train"), testDir = join(values.data!, "Test");
const work = await Deno.makeTempDir({ prefix: "facefit-bench-" });

const run = (args: string[]) => runCli(args, values.cache);

// Test photos whose bytes equal a Train photo's: scoring them measures memory, not recognition.
const trainHashes = new Set<string>();
for (const f of (await scanDataset(trainDir)).files) {
  trainHashes.add(await sha256Hex(await Deno.readFile(f.path)));
}
const copies = new Set<string>();
for (const f of (await scanDataset(testDir)).files) {
  if (trainHashes.has(await sha256Hex(await Deno.readFile(f.path)))) copies.add(f.path);
}

const rows = [];
for (const stages of values.configs!.split(",").map(Number)) {
  const model = join(work, `ft${stages}`);
  const t = await run([
    "train",
    "--data",
    trainDir,
    "--model",
    model,
    "--seed",
    values.seed!,
    "--fine-tune",
    String(stages),
    "--augment",
    values.augment!,
    "--json",
    "--quiet",
  ]);
  if (t.code !== 0) throw new Error(`train --fine-tune ${stages} failed:\n${t.stderr}`);
  const trained = JSON.parse(t.stdout);
  const e = await run(["evaluate", "--data", testDir, "--model", model, "--json", "--quiet"]);
  if (e.code !== 0) throw new Error(`evaluate failed:\n${e.stderr}`);
  const report = JSON.parse(e.stdout);
  const honest = report.photos.filter((p: { path: string }) => !copies.has(p.path));
  const honestCorrect = honest.filter((p: { predicted: string; label: string }) =>
    p.predicted === p.label
  ).length;
  rows.push({
    config: stages === 0 ? "head only" : `fine-tune ${stages} stage${stages > 1 ? "s" : ""}`,
    accuracyAll: report.accuracy,
    correctAll: `${report.correct}/${report.total}`,
    accuracyNoCopies: honestCorrect / honest.length,
    correctNoCopies: `${honestCorrect}/${honest.length}`,
    valAccuracy: trained.metrics.valAccuracy,
    trainSeconds: trained.metrics.seconds,
    peakRssMiB: trained.metrics.peakRssMiB,
  });
}
await Deno.remove(work, { recursive: true });

if (values.json) {
  console.log(JSON.stringify({ copies: [...copies], rows }, null, 2));
} else {
  console.log(`Test photos that are byte-copies of Train photos: ${copies.size}\n`);
  console.log(
    "| configuration | Test accuracy (all) | without Train copies | val accuracy | train time (total / fine-tune) | peak RSS |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    const s = r.trainSeconds;
    console.log(
      `| ${r.config} | ${(r.accuracyAll * 100).toFixed(1)}% (${r.correctAll}) | ${
        (r.accuracyNoCopies * 100).toFixed(1)
      }% (${r.correctNoCopies}) | ` +
        `${(r.valAccuracy * 100).toFixed(1)}% | ${s.total.toFixed(0)} s / ${
          (s.fineTune ?? 0).toFixed(0)
        } s | ${r.peakRssMiB} MiB |`,
    );
  }
}
