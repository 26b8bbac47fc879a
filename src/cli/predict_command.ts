/**
 * `facefit predict PHOTO...`: name every face in each photo.
 *
 * @module
 */
import { join } from "node:path";
import { type Recognition, Recognizer } from "../head/recognizer.ts";
import { annotatedName, annotatePhoto } from "../report/annotate.ts";
import type { PredictArgs } from "./args.ts";
import { analyzerConfig, startBackend } from "./context.ts";
import type { Reporter } from "./output.ts";

/** Run `predict`; exit code 1 when any photo failed (after all others were processed). */
export async function predictCommand(args: PredictArgs, reporter: Reporter): Promise<number> {
  await startBackend(args, reporter);
  if (args.annotate !== undefined) await makeFolder(args.annotate);
  const recognizer = await reporter.time(
    "load networks",
    () => Recognizer.load(args.model, analyzerConfig(args)),
  );
  const results: {
    file: string;
    faces?: Recognition["faces"];
    error?: string;
    annotated?: string;
  }[] = [];
  const taken = new Set<string>();
  let failures = 0;
  try {
    for (const [i, file] of args.files.entries()) {
      try {
        const r = await recognizer.recognizeFile(file, { threshold: args.threshold });
        if (!args.json) printText(reporter, file, r);
        let annotated: string | undefined;
        if (args.annotate !== undefined) {
          annotated = join(args.annotate, annotatedName(file, taken));
          await writeAnnotated(annotated, file, r);
        }
        results.push({ file, faces: r.faces, annotated });
      } catch (error) {
        failures++;
        const reason = error instanceof Error ? error.message : String(error);
        results.push({ file, error: reason });
        reporter.error(reason);
      }
      if (args.files.length > 1) {
        reporter.progress({ step: "predict", done: i + 1, total: args.files.length, file });
      }
    }
  } finally {
    recognizer.dispose();
  }
  const annotated = results.filter((r) => r.annotated !== undefined).length;
  if (args.annotate !== undefined) {
    reporter.info(`wrote ${annotated} annotated photo(s) to "${args.annotate}"`);
  }
  if (args.json) {
    reporter.result(JSON.stringify(
      results.map((r) => ({
        file: r.file,
        ...(r.error !== undefined ? { error: r.error } : {}),
        ...(r.annotated !== undefined ? { annotated: r.annotated } : {}),
        faces: (r.faces ?? []).map((f) => ({
          box: f.box,
          name: f.name,
          probability: round4(f.probability),
          margin: round4(f.margin),
          ...(f.distance !== undefined ? { distance: round4(f.distance) } : {}),
          threshold: f.threshold,
          bestGuess: f.bestGuess,
        })),
      })),
      null,
      2,
    ));
  }
  return failures > 0 ? 1 : 0;
}

async function writeAnnotated(out: string, file: string, r: Recognition): Promise<void> {
  try {
    await Deno.writeFile(out, await annotatePhoto(file, r.faces));
  } catch (error) {
    throw new Error(
      `Cannot write the annotated copy of "${file}" to "${out}": ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
}

async function makeFolder(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new Error(
      `Cannot create the --annotate folder "${dir}": ${
        error instanceof Error ? error.message : error
      }; choose another folder`,
    );
  }
}

function printText(reporter: Reporter, file: string, r: Recognition): void {
  if (r.faces.length === 0) {
    reporter.result(`${file}: no face found`);
    return;
  }
  reporter.result(`${file}: ${r.faces.length} face(s)`);
  for (const f of r.faces) {
    const b = f.box;
    const guess = f.name === f.bestGuess ? "" : ` (best guess ${f.bestGuess})`;
    const distance = f.distance === undefined
      ? ""
      : `  distance ${f.distance.toFixed(3)} of ${f.threshold.toFixed(3)}`;
    reporter.result(
      `  ${f.name.padEnd(14)} ${(f.probability * 100).toFixed(1).padStart(5)}%  margin ${
        f.margin >= 0 ? "+" : ""
      }${f.margin.toFixed(3)}${distance}  at x=${Math.round(b.x)} y=${Math.round(b.y)} ${
        Math.round(b.width)
      }x${Math.round(b.height)}${guess}`,
    );
  }
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
