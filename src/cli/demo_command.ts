/**
 * `facefit demo`: get the FC Barcelona photo set, train on Train (validation split from it), evaluate
 * on the unseen Test folder and name the faces of one photo.
 *
 * @module
 */
import { join } from "node:path";
import { download, unpackFolders } from "../dataset/fetch_archive.ts";
import { scanDataset } from "../dataset/scan.ts";
import { Recognizer } from "../head/recognizer.ts";
import { DEFAULTS, type DemoArgs, type TrainArgs } from "./args.ts";
import { analyzerConfig } from "./context.ts";
import { evaluateModel, printReport } from "./evaluate_command.ts";
import type { Interruption } from "./interrupt.ts";
import type { Reporter } from "./output.ts";
import { writeTrainingReport } from "./report_output.ts";
import { trainAndSave } from "./train_command.ts";

/** The public archive of the seed project, with Train/ and Test/ folders of eight players. */
export const DEMO_ARCHIVE =
  "https://github.com/rohankumawat/FaceTuning-TransferLearning/archive/refs/heads/master.zip";
/** Where the downloaded demo photos go. */
export const DEMO_DIR = "data/fcbarcelona";

/** Run `demo`; returns the exit code. */
export async function demoCommand(
  args: DemoArgs,
  reporter: Reporter,
  interruption?: Interruption,
): Promise<number> {
  const root = args.from ?? await fetchDemo(reporter);
  const trainDir = join(root, "Train");
  const testDir = join(root, "Test");
  const trainArgs: TrainArgs = {
    ...args,
    kind: "train",
    data: trainDir,
    val: undefined,
    valSplit: DEFAULTS.valSplit,
    model: args.model,
    epochs: DEFAULTS.epochs,
    batchSize: DEFAULTS.batchSize,
    learningRate: DEFAULTS.learningRate,
    patience: DEFAULTS.patience,
    hidden: DEFAULTS.hidden,
    fineTune: DEFAULTS.fineTune,
    fineTuneLr: DEFAULTS.fineTuneLr,
    fineTuneEpochs: DEFAULTS.fineTuneEpochs,
    resume: false,
    augment: DEFAULTS.augment,
    strangerAcceptance: DEFAULTS.strangerAcceptance,
    report: undefined,
  };
  await writeTrainingReport(
    await trainAndSave(trainArgs, reporter, interruption),
    trainArgs,
    reporter,
  );
  reporter.info(`evaluating on the unseen "${testDir}"`);
  const report = await evaluateModel(args.model, testDir, args, reporter);
  printReport(reporter, report);
  const test = await scanDataset(testDir);
  const sample = test.files[0];
  if (sample) {
    const recognizer = await Recognizer.load(args.model, analyzerConfig(args));
    try {
      const r = await recognizer.recognizeFile(sample.path);
      reporter.result(`\npredict "${sample.path}" (folder ${sample.label}):`);
      for (const f of r.faces) {
        reporter.result(
          `  ${f.name} ${(f.probability * 100).toFixed(1)}% at ${JSON.stringify(f.box)}`,
        );
      }
    } finally {
      recognizer.dispose();
    }
  }
  if (args.json) reporter.result(JSON.stringify(report, null, 2));
  return 0;
}

async function fetchDemo(reporter: Reporter): Promise<string> {
  try {
    const train = await scanDataset(join(DEMO_DIR, "Train"));
    if (train.files.length > 0) {
      reporter.info(`using the photos already in "${DEMO_DIR}"`);
      return DEMO_DIR;
    }
  } catch {
    // not there yet: download below
  }
  reporter.info(`downloading ${DEMO_ARCHIVE}`);
  const zip = await download(DEMO_ARCHIVE);
  const n = await unpackFolders(zip, ["Train", "Test"], DEMO_DIR);
  reporter.info(`unpacked ${n} photos into "${DEMO_DIR}"`);
  return DEMO_DIR;
}
