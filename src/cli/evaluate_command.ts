/**
 * `facefit evaluate`: accuracy, per-person figures and the confusion matrix on a labelled folder;
 * with `--open-set`, also how well strangers are turned away.
 *
 * @module
 */
import { evaluate, type EvaluationReport } from "../eval/evaluate.ts";
import type { OpenSetReport } from "../eval/open_set.ts";
import { Recognizer } from "../head/recognizer.ts";
import type { EvaluateArgs } from "./args.ts";
import { analyzerConfig, startBackend } from "./context.ts";
import { cacheLine, type Reporter } from "./output.ts";
import { writeEvaluationReport } from "./report_output.ts";

/** Run `evaluate`; returns the exit code. */
export async function evaluateCommand(args: EvaluateArgs, reporter: Reporter): Promise<number> {
  const backend = await startBackend(args, reporter);
  const started = performance.now();
  const report = await evaluateModel(args.model, args.data, args, reporter);
  const seconds = (performance.now() - started) / 1000;
  reporter.timing("evaluate", seconds);
  const html = await writeEvaluationReport(report, { ...args, backend, seconds }, reporter);
  if (args.json) {
    reporter.result(JSON.stringify({ ...report, html }, null, 2));
  } else {
    printReport(reporter, report);
    if (report.openSet) printOpenSet(reporter, report.openSet);
  }
  return 0;
}

/** Load a model and evaluate it with progress output; shared with `demo`. */
export async function evaluateModel(
  model: string,
  data: string,
  args: EvaluateArgs | { cache: string | false | undefined },
  reporter: Reporter,
): Promise<EvaluationReport> {
  const recognizer = await Recognizer.load(model, analyzerConfig(args as EvaluateArgs, true));
  const { openSet, threshold } = args as Partial<EvaluateArgs>;
  try {
    const report = await evaluate(recognizer, data, {
      openSet,
      threshold,
      onProgress: (p) => reporter.progress(p),
    });
    for (const f of report.failed) reporter.skipped(f.path, f.reason);
    reporter.info(cacheLine(recognizer.analyzer.stats));
    for (const f of openSet ? [] : report.ignoredFolders) {
      reporter.warn(`folder "${f}" is not one of the model's people: not scored`);
    }
    if (report.total === 0 && !report.openSet?.unknown.total) {
      // A score of 0/0 would replace the model's report with an empty one.
      throw new Error(
        `No photo of the model's people in "${data}": give a folder with one sub-folder of ` +
          `photos per person, named as in the model (${recognizer.info.labels.join(", ")})`,
      );
    }
    return report;
  } finally {
    recognizer.dispose();
  }
}

/** Human-readable summary of an evaluation. */
export function printReport(reporter: Reporter, report: EvaluationReport): void {
  reporter.result(
    `accuracy ${(report.accuracy * 100).toFixed(1)}% (${report.correct}/${report.total}), ` +
      `${report.noFace} without a face, ${report.failed.length} unreadable`,
  );
  const names = Object.keys(report.perClass);
  const width = Math.max(...names.map((n) => n.length), 6);
  for (const name of names) {
    const c = report.perClass[name];
    const wrong = Object.entries(report.confusion[name])
      .filter(([p]) => p !== name)
      .map(([p, n]) => `${p} ${n}`)
      .join(", ");
    reporter.result(
      `  ${name.padEnd(width)} ${String(c.correct).padStart(4)}/${String(c.total).padEnd(4)} ` +
        `${c.total ? ((c.correct / c.total) * 100).toFixed(1).padStart(5) : "    -"}%` +
        (wrong ? `  confused with: ${wrong}` : ""),
    );
  }
}

/** Human-readable summary of the open-set figures. */
export function printOpenSet(reporter: Reporter, o: OpenSetReport): void {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  reporter.result(
    `open set: known people ${pct(o.known.accuracy)} right (${o.known.correct}/${o.known.total}, ` +
      `${o.known.rejected} called unknown), strangers ${pct(o.unknown.rejection)} rejected ` +
      `(${o.unknown.rejected}/${o.unknown.total})`,
  );
  for (const [folder, f] of Object.entries(o.unknownFolders)) {
    reporter.result(`  ${folder}: ${f.rejected}/${f.total} rejected`);
  }
  const taken = Object.entries(o.unknown.takenFor).map(([name, n]) => `${name} ${n}`).join(", ");
  if (taken) reporter.result(`  strangers taken for: ${taken}`);
}
