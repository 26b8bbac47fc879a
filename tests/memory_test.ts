/**
 * Memory stays flat: 1,000 predictions in one process (a cached photo through the recogniser,
 * and an analyzed record with three faces) and a head fit of 2,000 epochs. Each runs in a
 * process of its own (tests/support/memory_probe.ts), so the resident memory measured is theirs
 * alone, with a garbage collection before every sample.
 *
 * Bounds: the tensor count never changes once warm; the JavaScript heap grows by less than
 * 4 MiB; the resident memory by less than 64 MiB (it moves by tens of MiB as freed file buffers
 * go back to the allocator, so this bound only catches a real leak, e.g. one photo's bytes per
 * call would be 1.5 GB).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Sample } from "./support/memory_probe.ts";
import { HAVE_SHARED, SHARED } from "./support/bad_corpus.ts";

const PROBE = new URL("./support/memory_probe.ts", import.meta.url).pathname;
const HEAP_BOUND_MIB = 4;
const RSS_BOUND_MIB = 64;

async function probe(...args: string[]): Promise<Sample[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", PROBE, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

/** Flat from the first warm sample (`from`) to the last one before disposing. */
function assertFlat(samples: Sample[], from: number, what: string): void {
  const warm = samples.filter((s) => s.at >= from);
  const first = warm[0], last = warm[warm.length - 1];
  for (const s of warm) assert.equal(s.tensors, first.tensors, `${what}: tensors at ${s.at}`);
  assert.ok(
    last.heapMiB - first.heapMiB < HEAP_BOUND_MIB,
    `${what}: heap ${first.heapMiB} -> ${last.heapMiB} MiB`,
  );
  assert.ok(
    last.rssMiB - first.rssMiB < RSS_BOUND_MIB,
    `${what}: RSS ${first.rssMiB} -> ${last.rssMiB} MiB`,
  );
  assert.equal(samples[samples.length - 1].tensors, 0, `${what}: every tensor freed at the end`);
}

Deno.test("1,000 predictions in one process: tensors unchanged, memory flat", async () => {
  const dir = await Deno.makeTempDir({ prefix: "facefit-memory-" });
  let photo = join(dir, "grey.pgm");
  if (HAVE_SHARED) {
    // A real face, so that the head runs on every call (a copy: nothing of the shared set changes).
    const messi = join(SHARED, "Train", "Messi");
    const name = [...Deno.readDirSync(messi)].map((e) => e.name).sort()[0];
    photo = join(dir, name);
    await Deno.copyFile(join(messi, name), photo);
  } else {
    await Deno.writeTextFile(photo, `P2\n64 64\n255\n${"128 ".repeat(64 * 64)}\n`);
  }
  const samples = await probe("predict", photo, join(dir, "cache"), "1000");
  assertFlat(samples, 100, "predict");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a head fit of 2,000 epochs: tensors unchanged from epoch to epoch, memory flat", async () => {
  const samples = await probe("fit", "2000");
  assertFlat(samples, 250, "fit");
});
