/**
 * Strangers, leave one person out: for each person of a Train/Test collection (default: the
 * shared FC Barcelona photos), train on the other people's Train folders only (symlinked into a
 * temporary folder; validation split from them, fixed seed), then evaluate with --open-set on all
 * of Test, where the left-out person is the stranger. Reports, per run and on average, the
 * accuracy over every Test photo of the known people and the share of the left-out person's
 * Test photos that name nobody, both at the model's calibrated per-person thresholds.
 *
 *   deno run -A bench/open_set.ts [--data DIR] [--cache DIR] [--seed N] [--only A,B]
 *     [--stranger-acceptance F] [--json]
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { scanDataset } from "../src/dataset/scan.ts";
import { FCBARCELONA, runCli } from "./run_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: FCBARCELONA },
    cache: { type: "string" },
    seed: { type: "string", default: "42" },
    only: { type: "string" },
    "stranger-acceptance": { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const trainDir = resolve(values.data!, "Train"), testDir = resolve(values.data!, "Test");
const work = await Deno.makeTempDir({ prefix: "facefit-open-set-" });

const run = (args: string[]) => runCli(args, values.cache);

interface Row {
  leftOut: string;
  knownAccuracy: number;
  known: string;
  rejection: number;
  rejected: string;
  takenFor: Record<string, number>;
  thresholds: string;
  /** Best figures along one threshold for everyone, for comparison. */
  curve: { threshold: number; knownAccuracy: number; rejection: number }[];
}

const people = (await scanDataset(trainDir)).labels;
const chosen = values.only ? values.only.split(",") : people;
const rows: Row[] = [];
try {
  for (const leftOut of chosen) {
    if (!people.includes(leftOut)) throw new Error(`No person "${leftOut}" in "${trainDir}"`);
    const data = join(work, `without-${leftOut}`);
    await Deno.mkdir(data);
    for (const p of people) if (p !== leftOut) await Deno.symlink(join(trainDir, p), join(data, p));
    const model = join(work, `model-${leftOut}`);
    const t = await run([
      "train",
      "--data",
      data,
      "--model",
      model,
      "--seed",
      values.seed!,
      ...(values["stranger-acceptance"]
        ? ["--stranger-acceptance", values["stranger-acceptance"]]
        : []),
      "--json",
      "--quiet",
    ]);
    if (t.code !== 0) throw new Error(`train without ${leftOut} failed:\n${t.stderr}`);
    const e = await run([
      "evaluate",
      "--data",
      testDir,
      "--model",
      model,
      "--open-set",
      "--report",
      join(work, `report-${leftOut}.html`),
      "--json",
      "--quiet",
    ]);
    if (e.code !== 0) {
      throw new Error(`evaluate of the model without ${leftOut} failed:\n${e.stderr}`);
    }
    const o = JSON.parse(e.stdout).openSet;
    const folder = o.unknownFolders[leftOut];
    const info = JSON.parse(await Deno.readTextFile(join(model, "facefit.json")));
    const t7 = Object.values(info.openSet.people as Record<string, { threshold: number }>)
      .map((p) => p.threshold);
    rows.push({
      leftOut,
      knownAccuracy: o.known.accuracy,
      known: `${o.known.correct}/${o.known.total}`,
      rejection: folder.rejected / folder.total,
      rejected: `${folder.rejected}/${folder.total}`,
      takenFor: o.unknown.takenFor,
      thresholds: `${Math.min(...t7)}-${Math.max(...t7)}`,
      curve: o.curve,
    });
    if (!values.json) {
      console.error(
        `${leftOut}: known ${o.known.accuracy}, rejected ${folder.rejected}/${folder.total}`,
      );
    }
  }
} finally {
  await Deno.remove(work, { recursive: true });
}

const mean = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
const meanKnown = mean((r) => r.knownAccuracy), meanRejection = mean((r) => r.rejection);
// One threshold for everyone, chosen looking at Test: an upper bound to compare with, not a result.
const grid = rows[0].curve.map((p, i) => ({
  threshold: p.threshold,
  knownAccuracy: mean((r) => r.curve[i].knownAccuracy),
  rejection: mean((r) => r.curve[i].rejection),
}));
const feasible = grid.filter((p) => p.knownAccuracy >= 0.95 && p.rejection >= 0.9);
if (values.json) {
  console.log(JSON.stringify(
    { runs: rows.map(({ curve: _c, ...r }) => r), meanKnown, meanRejection, feasible },
    null,
    2,
  ));
} else {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  console.log(
    "| left out | known accuracy (Test, 7 people) | left-out rejected | thresholds | strangers taken for |",
  );
  console.log("|---|---|---|---|---|");
  for (const r of rows) {
    const taken = Object.entries(r.takenFor).map(([n, c]) => `${n} ${c}`).join(", ");
    console.log(
      `| ${r.leftOut} | ${pct(r.knownAccuracy)} (${r.known}) | ${
        pct(r.rejection)
      } (${r.rejected}) | ` +
        `${r.thresholds} | ${taken || "-"} |`,
    );
  }
  console.log(`| **mean** | **${pct(meanKnown)}** | **${pct(meanRejection)}** | | |`);
  console.log(
    feasible.length > 0
      ? `\nOne threshold for everyone meets both targets on Test from ${feasible[0].threshold} ` +
        `to ${feasible[feasible.length - 1].threshold} (hindsight, for comparison).`
      : "\nNo single threshold for everyone meets both targets on Test.",
  );
}
