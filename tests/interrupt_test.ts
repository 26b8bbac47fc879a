/**
 * Ctrl-C during `train`, in the middle of an epoch and while the model is being saved: the
 * command exits with 130 and says so, and the previous model is still there and loads.
 */
import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { join } from "node:path";
import { loadModel } from "../src/head/model_io.ts";
import { MODEL_UNCHANGED } from "../src/cli/interrupt.ts";
import { HAVE_SHARED, PEOPLE, SHARED } from "./support/bad_corpus.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Every file of a folder, by relative path, as bytes joined into a string. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      for (const [k, v] of Object.entries(await snapshot(path))) out[`${e.name}/${k}`] = v;
    } else out[e.name] = (await Deno.readFile(path)).join(",");
  }
  return out;
}

/**
 * Run `facefit train ARGS`, send SIGINT as soon as a stderr line matches `when`, and return the
 * exit code and stderr.
 */
async function interruptTrain(
  args: string[],
  when: RegExp,
): Promise<{ code: number; stderr: string; sent: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "train", ...args, "--backend", "wasm", "--verbose"],
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  let stderr = "", sent = false;
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    stderr += decoder.decode(chunk, { stream: true });
    if (!sent && when.test(stderr)) {
      child.kill("SIGINT");
      sent = true;
    }
  }
  const { code } = await child.status;
  clearTimeout(timer);
  return { code, stderr, sent };
}

async function leftovers(parent: string): Promise<string[]> {
  const names = [];
  for await (const e of Deno.readDir(parent)) {
    if (/\.tmp-|\.old-/.test(e.name)) names.push(e.name);
  }
  return names;
}

Deno.test({
  name: "Ctrl-C during an epoch and during the save keeps the previous model (exit 130)",
  ignore: !HAVE_SHARED,
  async fn(t) {
    await tf.setBackend("cpu");
    const root = await Deno.makeTempDir({ prefix: "facefit-interrupt-" });
    const data = join(root, "data"), model = join(root, "models", "friends");
    for (const person of PEOPLE) {
      await Deno.mkdir(join(data, person), { recursive: true });
      const names = [...Deno.readDirSync(join(SHARED, "Train", person))].map((e) => e.name).sort();
      for (const name of names.slice(0, 3)) {
        await Deno.copyFile(join(SHARED, "Train", person, name), join(data, person, name));
      }
    }
    const common = ["--data", data, "--model", model, "--cache", join(root, "cache")];
    const first = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "train", ...common, "--epochs", "5", "--backend", "wasm"],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    const previous = await snapshot(model);

    await t.step("during an epoch", async () => {
      const r = await interruptTrain(
        [...common, "--seed", "7", "--epochs", "100000", "--patience", "100000"],
        /^epoch +1 /m,
      );
      assert.ok(r.sent, r.stderr);
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, new RegExp(`error: ${MODEL_UNCHANGED}\n$`));
      assert.doesNotMatch(r.stderr, /^epoch 100000/m, "stopped long before the last epoch");
      assert.deepEqual(await snapshot(model), previous, "the previous model is unchanged");
      assert.deepEqual(await leftovers(join(model, "..")), []);
      (await loadModel(model)).head.dispose();
    });

    await t.step("during the save", async () => {
      // The line comes from inside the save, before the new folder is written and swapped in;
      // writing and syncing the files takes far longer than the signal takes to arrive.
      const r = await interruptTrain(
        [...common, "--seed", "7", "--epochs", "5"],
        /saving the model/,
      );
      assert.ok(r.sent, r.stderr);
      assert.equal(r.code, 130, r.stderr);
      assert.deepEqual(await leftovers(join(model, "..")), [], "no temporary folder left");
      const loaded = await loadModel(model);
      loaded.head.dispose();
      if (r.stderr.includes(MODEL_UNCHANGED)) {
        assert.deepEqual(await snapshot(model), previous, "the previous model is unchanged");
      } else {
        // The signal came after the swap (a very slow machine): the new model is whole.
        assert.match(r.stderr, /interrupted; the new model was saved to/);
        assert.equal(loaded.info.training.seed, 7);
      }
    });
    await Deno.remove(root, { recursive: true });
  },
});
