/**
 * Checkpoints of a training run, so that `--resume` continues an interrupted run: after the head
 * phase and after every fine-tuning epoch, the head and backbone weights, the phase, the epoch and
 * the history so far are written (atomically) next to the model folder. A checkpoint is only
 * resumed by a run with the same data and settings (its `key`).
 *
 * @module
 */
import type * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { readLayersModel } from "../backend/layers_io.ts";
import { writeLayersModel } from "../head/model_io.ts";
import { basename, dirname, join } from "node:path";
import type { EpochLogs } from "./callbacks.ts";

/** Where a run is. */
export interface CheckpointState {
  /** Identifies the data and settings; a checkpoint with another key is never resumed. */
  key: string;
  /** 0: the head phase finished; 1: fine-tuning is under way. */
  phase: 0 | 1;
  /** The last finished epoch of the phase (0-based). */
  epoch: number;
  /** The head phase's best epoch (its weights are the ones kept). */
  headBestEpoch?: number;
  /** Epoch logs so far, both phases. */
  history: EpochLogs[];
}

/** The checkpoint folder of a model folder: `models/.name.checkpoint`. */
export function checkpointDir(modelDir: string): string {
  return join(dirname(modelDir), `.${basename(modelDir)}.checkpoint`);
}

/** Write a checkpoint atomically (temp folder, then rename over the previous one). */
export async function saveCheckpoint(
  dir: string,
  state: CheckpointState,
  models: { head: tf.LayersModel; backbone?: tf.LayersModel },
): Promise<void> {
  const tmp = `${dir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(join(tmp, "head"), { recursive: true });
  try {
    await writeLayersModel(join(tmp, "head"), models.head);
    if (models.backbone) {
      await Deno.mkdir(join(tmp, "backbone"));
      await writeLayersModel(join(tmp, "backbone"), models.backbone);
    }
    await Deno.writeTextFile(join(tmp, "state.json"), JSON.stringify(state));
    // Two renames back to back, the old checkpoint removed only after: an interruption leaves
    // either checkpoint in place.
    const old = `${dir}.old-${crypto.randomUUID().slice(0, 8)}`;
    let hadOld = true;
    try {
      Deno.renameSync(dir, old);
    } catch {
      hadOld = false;
    }
    Deno.renameSync(tmp, dir);
    if (hadOld) await Deno.remove(old, { recursive: true }).catch(() => {});
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new Error(
      `Cannot write the checkpoint "${dir}": ${error instanceof Error ? error.message : error}`,
    );
  }
}

/**
 * Read a checkpoint written for the same key.
 *
 * @returns undefined when there is none, or it belongs to other data or settings.
 */
export async function loadCheckpoint(
  dir: string,
  key: string,
): Promise<
  { state: CheckpointState; head: tf.LayersModel; backbone?: tf.LayersModel } | undefined
> {
  let state: CheckpointState;
  try {
    state = JSON.parse(await Deno.readTextFile(join(dir, "state.json")));
  } catch {
    return undefined;
  }
  if (state.key !== key) return undefined;
  const head = await readLayersModel(join(dir, "head"), `Checkpoint "${dir}"`);
  const backbone = state.phase === 1
    ? await readLayersModel(join(dir, "backbone"), `Checkpoint "${dir}"`)
    : undefined;
  return { state, head, backbone };
}

/** Remove a checkpoint (after the model was saved). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
