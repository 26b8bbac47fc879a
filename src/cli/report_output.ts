/**
 * Writing the HTML reports from the commands: where they go, progress while thumbnails are made,
 * and a warning instead of a failure when the report cannot be written (the model is saved).
 *
 * @module
 */
import { join } from "node:path";
import type { BackendInfo } from "../backend/backend.ts";
import type { EvaluationReport } from "../eval/evaluate.ts";
import type { ModelInfo } from "../head/model_io.ts";
import {
  defaultReportPath,
  evaluationReport,
  trainingReport,
  writeReport,
} from "../report/build.ts";
import type { TrainResult } from "../train/train.ts";
import type { Reporter } from "./output.ts";

/** Write the training report; returns its path, or undefined when it could not be written. */
export async function writeTrainingReport(
  result: TrainResult,
  options: { model: string; report: string | undefined },
  reporter: Reporter,
): Promise<string | undefined> {
  const path = options.report ?? defaultReportPath(options.model);
  return await write(
    path,
    reporter,
    () => trainingReport(result, { model: options.model, onProgress: (p) => reporter.progress(p) }),
  );
}

/** Write the evaluation report; returns its path, or undefined when it could not be written. */
export async function writeEvaluationReport(
  evaluation: EvaluationReport,
  options: {
    model: string;
    data: string;
    report: string | undefined;
    backend: BackendInfo;
    seconds: number;
  },
  reporter: Reporter,
): Promise<string | undefined> {
  const path = options.report ?? defaultReportPath(options.model);
  return await write(path, reporter, async () => {
    // The recogniser has just loaded this folder, so facefit.json is known to be good.
    const info: ModelInfo = JSON.parse(
      await Deno.readTextFile(join(options.model, "facefit.json")),
    );
    let metrics: Record<string, unknown> | undefined;
    try {
      metrics = JSON.parse(await Deno.readTextFile(join(options.model, "metrics.json")));
    } catch {
      metrics = undefined; // an older or hand-made model: the report has no training curves
    }
    return await evaluationReport(evaluation, {
      model: options.model,
      data: options.data,
      info,
      metrics,
      backend: options.backend,
      timings: { evaluate: options.seconds },
      onProgress: (p) => reporter.progress(p),
    });
  });
}

async function write(
  path: string,
  reporter: Reporter,
  build: () => Promise<string>,
): Promise<string | undefined> {
  try {
    await reporter.time("report", async () => await writeReport(path, await build()));
    reporter.info(`report: ${path}`);
    return path;
  } catch (error) {
    reporter.warn(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}
