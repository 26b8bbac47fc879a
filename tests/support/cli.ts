/**
 * What the end-to-end tests share: where the shared FC Barcelona photos are, running the CLI in a
 * subprocess, and copying a few photos per person into a temporary folder (never into the
 * repository).
 */
import { join } from "node:path";

/** The shared photo set, beside the repository. */
export const SHARED = new URL("../../../shared/datasets/fcbarcelona/", import.meta.url).pathname;

/** The CLI's entry point. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The people the small end-to-end runs use. */
export const PEOPLE = ["Busquets", "Messi", "Pique"];

/** Whether the shared photos are there (the tests that need them are skipped otherwise). */
export const haveData: boolean = (() => {
  try {
    return Deno.statSync(join(SHARED, "Train", "Messi")).isDirectory;
  } catch {
    return false;
  }
})();

/** A finished CLI run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * glibc's malloc settings that `deno.json`'s command tasks start facefit with: every buffer over
 * 128 KiB gets a mapping of its own, returned to the system when freed. By default glibc raises
 * that threshold to the largest buffer freed so far, after which decoded photos' buffers fragment
 * the heap, and a long `tag` run's peak grows with the number of photos (README, "Memory").
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: "131072",
  MALLOC_TRIM_THRESHOLD_: "131072",
};

/** Run `main.ts` with all permissions and no colours, as the command tasks start it. */
export async function cli(...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1", ...MALLOC_ENV },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Copy photos `skip` to `skip + n` (by name) of each of `people` from a split into `dest/<person>/`. */
export async function copySubset(
  split: string,
  dest: string,
  skip: number,
  n: number,
  people: readonly string[] = PEOPLE,
): Promise<void> {
  for (const person of people) {
    const names = [...Deno.readDirSync(join(SHARED, split, person))].map((e) => e.name).sort();
    await Deno.mkdir(join(dest, person), { recursive: true });
    for (const name of names.slice(skip, skip + n)) {
      await Deno.copyFile(join(SHARED, split, person, name), join(dest, person, name));
    }
  }
}
