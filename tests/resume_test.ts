/**
 * `--resume`: a run interrupted during fine-tuning continues from its checkpoint instead of
 * starting over, and a checkpoint of other settings is never resumed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../src/backend/backend.ts";
import { FaceAnalyzer } from "../src/embed/photo.ts";
import { checkpointDir, loadCheckpoint } from "../src/train/checkpoint.ts";
import { train, type TrainOptions } from "../src/train/train.ts";

const SHARED = new URL("../../shared/datasets/fcbarcelona/Train/", import.meta.url).pathname;
const haveData = (() => {
  try {
    return Deno.statSync(SHARED).isDirectory;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "an interrupted fine-tuning run resumes at the next epoch",
  ignore: !haveData,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await initBackend("wasm");
    const dir = await Deno.makeTempDir({ prefix: "facefit-resume-" });
    const data = join(dir, "train");
    for (const person of ["Messi", "Pique"]) {
      await Deno.mkdir(join(data, person), { recursive: true });
      const names = [...Deno.readDirSync(join(SHARED, person))].map((e) => e.name).sort().slice(
        0,
        5,
      );
      for (const n of names) await Deno.copyFile(join(SHARED, person, n), join(data, person, n));
    }
    const analyzer = await FaceAnalyzer.load({ cacheDir: join(dir, "cache") });
    const ckpt = checkpointDir(join(dir, "model"));
    const base: TrainOptions = {
      data,
      seed: 3,
      epochs: 20,
      patience: 50,
      fineTune: 1,
      fineTuneEpochs: 3,
      augment: "none",
      checkpointDir: ckpt,
    };
    const seen: number[] = [];
    let fineTuneEpochs = 0;
    await assert.rejects(
      () =>
        train(analyzer, {
          ...base,
          onEpochEnd: (epoch, logs) => {
            seen.push(epoch);
            // Cut the run short in the second fine-tuning epoch, after the first one's checkpoint.
            if (logs.phase === 1 && ++fineTuneEpochs === 2) throw new Error("interrupted");
          },
        }),
      /interrupted/,
    );
    assert.deepEqual(seen, [...Array(22).keys()]);
    assert.equal(
      await loadCheckpoint(ckpt, "not this run"),
      undefined,
      "another key is never resumed",
    );

    const resumedEpochs: number[] = [];
    const result = await train(analyzer, {
      ...base,
      resume: true,
      onEpochEnd: (epoch) => resumedEpochs.push(epoch),
    });
    assert.deepEqual(
      resumedEpochs,
      [21, 22],
      "only the fine-tuning epochs after the checkpoint run",
    );
    const phases = (result.metrics.history as { phase: number }[]).map((h) => h.phase);
    assert.equal(phases.filter((p) => p === 0).length, 20);
    assert.equal(phases.filter((p) => p === 1).length, 3, "three fine-tuning epochs in all");
    assert.ok(result.backbone, "the fine-tuned backbone is returned");
    result.head.dispose();
    result.backbone?.dispose();
    analyzer.dispose();
    await Deno.remove(dir, { recursive: true });
  },
});
