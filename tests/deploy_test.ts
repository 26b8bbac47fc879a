/**
 * The batch-engine manifests in deploy/ parse, and they run the very commands the README shows.
 */
import assert from "node:assert/strict";
import { parse } from "npm:yaml@2.9.1";
import { parseCommand } from "../src/cli/args.ts";

const ROOT = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));

/** The map and reduce commands of the README's "Beyond one machine" section. */
async function readmeCommands(): Promise<{ map: string; reduce: string }> {
  const readme = await read("README.md");
  const section = readme.split("## Beyond one machine")[1]?.split("\n## ")[0] ?? "";
  const block = /```sh\n([^`]*)```/.exec(section)?.[1].trim().split("\n") ?? [];
  const map = block.find((l) => l.startsWith("deno task analyze "));
  const reduce = block.find((l) => l.startsWith("deno task ") && l !== map);
  assert.ok(map && reduce, "the README shows a map and a reduce command");
  return { map, reduce };
}

/** The shard count N of a command's `--shard index/N`. */
function shardCount(command: string): number {
  const n = /--shard index\/(\d+)/.exec(command)?.[1];
  assert.ok(n, `"${command}" takes its shard from the engine`);
  return Number(n);
}

interface Container {
  image: string;
  command: string[];
}

async function job(path: string) {
  const doc = parse(await read(path));
  assert.equal(doc.apiVersion, "batch/v1", path);
  assert.equal(doc.kind, "Job", path);
  const containers: Container[] = doc.spec.template.spec.containers;
  assert.equal(containers.length, 1, path);
  assert.match(containers[0].image, /^denoland\/deno:\d+\.\d+\.\d+$/, "the official Deno image");
  return { spec: doc.spec, container: containers[0] };
}

Deno.test("README commands are valid facefit command lines", async () => {
  const { map, reduce } = await readmeCommands();
  const tasks = JSON.parse(await read("deno.json")).tasks;
  for (const line of [map, reduce]) {
    const [, , task, ...args] = line.split(/\s+/);
    assert.ok(tasks[task], `deno task ${task} exists`);
    const env = (name: string) => (name === "JOB_COMPLETION_INDEX" ? "0" : undefined);
    assert.equal(parseCommand([task, ...args], () => false, env).kind, task);
  }
});

Deno.test("the Kubernetes Indexed Job runs the README's map step, one pod per shard", async () => {
  const { map, reduce } = await readmeCommands();
  const analyze = await job("deploy/kubernetes/analyze-job.yaml");
  assert.equal(analyze.spec.completionMode, "Indexed");
  assert.equal(analyze.spec.completions, shardCount(map));
  assert.ok(analyze.spec.parallelism <= analyze.spec.completions);
  assert.equal(analyze.container.command.join(" "), map);
  const after = await job("deploy/kubernetes/reduce-job.yaml");
  assert.equal(after.container.command.join(" "), reduce);
  const setup = await job("deploy/kubernetes/setup-job.yaml");
  assert.deepEqual(setup.container.command, ["deno", "install", "--frozen"]);
  // One Deno for all steps, the one CI tests with.
  const ci = /deno@(\d+\.\d+\.\d+)/.exec(await read(".ci/run"))?.[1];
  for (const j of [analyze, after, setup]) assert.equal(j.container.image, `denoland/deno:${ci}`);
});

Deno.test("the Slurm scripts run the README's commands, one array task per shard", async () => {
  const { map, reduce } = await readmeCommands();
  for (const script of ["analyze.sbatch", "reduce.sbatch", "submit.sh"]) {
    const check = await new Deno.Command("bash", {
      args: ["-n", new URL(`deploy/slurm/${script}`, ROOT).pathname],
      stderr: "piped",
    }).output();
    assert.equal(check.code, 0, `${script}: ${new TextDecoder().decode(check.stderr)}`);
  }
  const lastLine = (text: string) => text.trim().split("\n").at(-1);
  const analyze = await read("deploy/slurm/analyze.sbatch");
  assert.equal(lastLine(analyze), map);
  const array = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(analyze);
  assert.ok(array, "a job array");
  assert.equal(Number(array[2]) - Number(array[1]) + 1, shardCount(map));
  assert.equal(lastLine(await read("deploy/slurm/reduce.sbatch")), reduce);
  assert.match(await read("deploy/slurm/submit.sh"), /--dependency="afterany:/);
});
