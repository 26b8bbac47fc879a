/**
 * `facefit predict PHOTO...`: name every face in each photo.
 *
 * @module
 */
import { type Recognition, Recognizer } from "../head/recognizer.ts";
import type { PredictArgs } from "./args.ts";
import { analyzerConfig, startBackend } from "./context.ts";
import type { Reporter } from "./output.ts";

/** Run `predict`; exit code 1 when any photo failed (after all others were processed). */
export async function predictCommand(args: PredictArgs, reporter: Reporter): Promise<number> {
  await startBackend(args, reporter);
  const recognizer = await Recognizer.load(args.model, analyzerConfig(args));
  const results: { file: string; faces?: Recognition["faces"]; error?: string }[] = [];
  let failures = 0;
  try {
    for (const file of args.files) {
      try {
        const r = await recognizer.recognizeFile(file, { threshold: args.threshold });
        results.push({ file, faces: r.faces });
        if (!args.json) printText(reporter, file, r);
      } catch (error) {
        failures++;
        const reason = error instanceof Error ? error.message : String(error);
        results.push({ file, error: reason });
        reporter.error(reason);
      }
    }
  } finally {
    recognizer.dispose();
  }
  if (args.json) {
    reporter.result(JSON.stringify(
      results.map((r) => ({
        file: r.file,
        ...(r.error !== undefined ? { error: r.error } : {}),
        faces: (r.faces ?? []).map((f) => ({
          box: f.box,
          name: f.name,
          probability: round4(f.probability),
          margin: round4(f.margin),
          bestGuess: f.bestGuess,
        })),
      })),
      null,
      2,
    ));
  }
  return failures > 0 ? 1 : 0;
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
    reporter.result(
      `  ${f.name.padEnd(14)} ${(f.probability * 100).toFixed(1).padStart(5)}%  margin ${
        f.margin >= 0 ? "+" : ""
      }${f.margin.toFixed(3)}  at x=${Math.round(b.x)} y=${Math.round(b.y)} ${
        Math.round(b.width)
      }x${Math.round(b.height)}${guess}`,
    );
  }
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
