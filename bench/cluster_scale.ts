/**
 * How the grouping scales: synthetic 128-d descriptors (identities of 3 to 80 faces around
 * well-separated centres, plus 10% strays that belong to nobody; every face its own photo except
 * that faces i and i + N/2 share a photo), grouped at the default linking distance. Each size
 * runs in its own process under /usr/bin/time for its peak RSS. With `--exact N`, sizes up to N
 * are also grouped by the exact O(N^2) search, and the groups compared.
 *
 *   deno run -A bench/cluster_scale.ts [--sizes 10000,50000,200000] [--exact 10000]
 */
import { parseArgs } from "node:util";
import { densityCluster } from "../src/cluster/density.ts";
import { gaussian, syntheticFaces } from "../src/cluster/test_fixtures.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "10000,50000,200000" },
    exact: { type: "string", default: "10000" },
    one: { type: "string" },
    "with-exact": { type: "boolean", default: false },
  },
});

if (values.one) {
  console.log(JSON.stringify(runOne(Number(values.one), values["with-exact"]!)));
} else {
  console.log(
    "| faces | identities | groups found (= an identity exactly) | grouping time | process: wall, CPU | peak RSS | equals exact |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const n of values.sizes!.split(",").map(Number)) {
    const withExact = n <= Number(values.exact);
    const out = await new Deno.Command("/usr/bin/time", {
      args: [
        "-f",
        "TIME %e %M %U %S",
        Deno.execPath(),
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--one",
        String(n),
        ...(withExact ? ["--with-exact"] : []),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    if (out.code !== 0) throw new Error(`size ${n} failed:\n${stderr}`);
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    const [, wall, kb, user, sys] = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr)!.map(
      Number,
    );
    const peak = Math.round(kb / 1024);
    console.log(
      `| ${n} | ${r.identities} | ${r.groups} (${r.exactMatches}) | ${
        r.seconds.toFixed(1)
      } s | ${wall} s, ${(user + sys).toFixed(1)} s | ${peak} MiB | ${
        r.equalsExact === undefined
          ? "-"
          : `${r.equalsExact} (exact: ${r.exactSeconds.toFixed(1)} s)`
      } |`,
    );
  }
}

function runOne(n: number, withExact: boolean) {
  const random = gaussian(99);
  const sizes: number[] = [];
  let total = 0;
  while (total < n * 0.9) {
    const size = Math.min(Math.ceil(n * 0.9) - total, 3 + Math.floor(Math.abs(random()) * 30) % 78);
    sizes.push(size);
    total += size;
  }
  const { points, identity } = syntheticFaces({
    sizes,
    strays: n - total,
    dim: 128,
    spread: 0.25,
    seed: 5,
  });
  // Faces i and i + n/2 share a photo: mostly two people in one photo.
  const half = Math.floor(n / 2);
  const photo = Int32Array.from(identity, (_, i) => (i < half ? i : i - half));
  const started = performance.now();
  const result = densityCluster(points, photo);
  const seconds = (performance.now() - started) / 1000;
  const exactMatches =
    result.groups.filter((g) =>
      identity[g[0]] >= 0 && g.length === sizes[identity[g[0]]] &&
      g.every((i) => identity[i] === identity[g[0]])
    ).length;
  const out: Record<string, unknown> = {
    n,
    identities: sizes.length,
    groups: result.groups.length,
    exactMatches,
    seconds,
  };
  if (withExact) {
    const t = performance.now();
    const exact = densityCluster(points, photo, { search: "exact" });
    out.exactSeconds = (performance.now() - t) / 1000;
    out.equalsExact = JSON.stringify(exact.groups) === JSON.stringify(result.groups);
  }
  return out;
}
