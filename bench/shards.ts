/**
 * Map step on one machine: the wall time of one `analyze` process against N `analyze --shard K/N`
 * processes at once, each over the same library (default: FC Barcelona Train+Test, symlinked into
 * one folder per person) with a fresh cache; then `train` on Train and `evaluate` on Test from
 * each cache, which must analyse nothing and agree (labels, thresholds, accuracy).
 *
 *   deno run -A bench/shards.ts [--data DIR] [--shards N] [--json]
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { cli } from "../tests/support/cli.ts";
import { FCBARCELONA } from "./run_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: FCBARCELONA },
    shards: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const n = Number(values.shards);
const work = await Deno.makeTempDir({ prefix: "facefit-shards-" });
const lib = join(work, "library");
await Deno.mkdir(lib);
for (const split of ["Train", "Test"]) {
  await Deno.symlink(resolve(values.data!, split), join(lib, split));
}

async function timed<T>(run: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { seconds: (performance.now() - started) / 1000, value };
}

function parsed(r: { code: number; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** Train on Train, evaluate on Test, from one cache: what the reduce step gives. */
async function reduce(cache: string, name: string) {
  const model = join(work, `model-${name}`);
  const common = ["--cache", cache, "--backend", "wasm"];
  const t = await cli(
    "train",
    "--data",
    join(lib, "Train"),
    "--val-split",
    "0.2",
    "--model",
    model,
    ...common,
  );
  if (t.code !== 0) throw new Error(t.stderr);
  const e = parsed(
    await cli("evaluate", "--data", join(lib, "Test"), "--model", model, "--json", ...common),
  );
  const info = JSON.parse(await Deno.readTextFile(join(model, "facefit.json")));
  return {
    nothingAnalysed: /nothing analysed/.test(t.stderr),
    labels: info.labels,
    thresholds: Object.fromEntries(
      Object.entries(info.openSet.people).map((
        [p, v],
      ) => [p, (v as { threshold: number }).threshold]),
    ),
    accuracy: `${e.correct}/${e.total}`,
  };
}

try {
  const single = join(work, "cache-1");
  const one = await timed(async () =>
    parsed(await cli("analyze", lib, "--cache", single, "--json", "--backend", "wasm"))
  );
  const sharded = join(work, `cache-${n}`);
  const many = await timed(() =>
    Promise.all(
      Array.from({ length: n }, (_, k) =>
        cli(
          "analyze",
          lib,
          "--shard",
          `${k}/${n}`,
          "--cache",
          sharded,
          "--json",
          "--backend",
          "wasm",
        )
          .then(parsed)),
    )
  );
  const sum = (key: string) =>
    many.value.reduce((s: number, r: Record<string, number>) => s + r[key], 0);
  const [a, b] = [await reduce(single, "1"), await reduce(sharded, String(n))];
  const result = {
    photos: one.value.photos,
    single: {
      seconds: Math.round(one.seconds),
      analyzed: one.value.analyzed,
      copies: one.value.copies,
    },
    sharded: {
      processes: n,
      seconds: Math.round(many.seconds),
      analyzed: sum("analyzed"),
      copies: sum("copies"),
      perShard: many.value.map((r: Record<string, number>) => r.analyzed),
    },
    reduce: { single: a, sharded: b, same: JSON.stringify(a) === JSON.stringify(b) },
    photosPerSecond: {
      single: +(one.value.analyzed / one.seconds).toFixed(2),
      sharded: +(sum("analyzed") / many.seconds).toFixed(2),
    },
  };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const millionHours = 1e6 / result.photosPerSecond.single / 3600;
    console.log(`${result.photos} photos (${result.single.analyzed} distinct contents)`);
    console.log(
      `1 process:          ${result.single.seconds} s, ${result.photosPerSecond.single} photos/s`,
    );
    console.log(
      `${n} shards at once:   ${result.sharded.seconds} s, ${result.photosPerSecond.sharded} photos/s, ` +
        `analysed ${result.sharded.analyzed} (${result.sharded.perShard.join(" + ")})`,
    );
    console.log(
      `reduce agrees: ${result.reduce.same} (${a.accuracy} vs ${b.accuracy} on Test, nothing analysed: ${
        a.nothingAnalysed && b.nothingAnalysed
      })`,
    );
    console.log(
      `a million photos at this rate: ${millionHours.toFixed(1)} h on one such machine, ${
        (millionHours / 100).toFixed(2)
      } h on 100`,
    );
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
