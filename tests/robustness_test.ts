/**
 * Every command on a collection full of bad input (tests/support/bad_corpus.ts) mixed with real
 * photos: no crash, no hang, a message naming each bad file, the right exit code, every good
 * photo processed. The commands run with the narrow permissions the README documents (read the
 * project and the data, write the data's folder, one environment variable, no network), so this
 * is also the test that those permissions are enough.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Corpus, HAVE_SHARED, makeCorpus, PEOPLE } from "./support/bad_corpus.ts";
import { MALLOC_ENV } from "./support/cli.ts";

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const MAIN = join(REPO, "main.ts");
/** Longest a command may take before the test calls it a hang. */
const COMMAND_TIMEOUT_MS = 180_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The narrowest permissions that run every command on data under `root`, with `--cache`. */
function narrow(root: string): string[] {
  return [
    `--allow-read=${REPO},${root}`,
    `--allow-write=${root}`,
    "--allow-env=IMAGESCRIPT_WASM_SIMD",
    "--deny-net",
  ];
}

async function cli(permissions: string[], ...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, MAIN, ...args, "--backend", "wasm"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  }).output();
  const decoder = new TextDecoder();
  const run = {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
  assert.ok(out.signal === null, `"${args[0]}" was killed (${out.signal}): a hang?\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /\n\s+at .*:\d+:\d+/, `no stack trace:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /Requires \w+ access|NotCapable/, "no permission missing");
  return run;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The line that says `path` was left out, with its reason. */
function assertSkipped(stderr: string, path: string, reason: RegExp | string): void {
  const line = stderr.split("\n").find((l) => l.includes(`skipped "${path}"`));
  assert.ok(line, `a message names "${path}":\n${stderr}`);
  assert.match(line, typeof reason === "string" ? new RegExp(escape(reason)) : reason);
}

Deno.test({
  name: "bad input: every command names each bad file, processes the good ones, exits right",
  ignore: !HAVE_SHARED,
  async fn(t) {
    const root = await Deno.makeTempDir({ prefix: "facefit-bad-input-" });
    const corpus: Corpus = await makeCorpus(root);
    const allow = narrow(root);
    const model = join(root, "model"), cache = join(root, "cache");
    const refused = corpus.items.filter((i) => i.expect === "refused");
    const loop = join(corpus.train, "Messi", "loop"),
      self = join(corpus.train, "Messi", "self.jpg");
    const links: [string, RegExp][] = [
      [loop, /symlink loop: this folder was already visited/],
      [self, /a symbolic link that leads back to itself/],
    ];

    await t.step("audit lists every unreadable file with its reason", async () => {
      const a = await cli(
        allow,
        "audit",
        "--data",
        corpus.train,
        "--val",
        corpus.test,
        "--cache",
        cache,
        "--json",
      );
      assert.equal(a.code, 0, a.stderr);
      const report = JSON.parse(a.stdout);
      const unreadable = new Map<string, string>(
        report.unreadable.map((u: { path: string; reason: string }) => [u.path, u.reason]),
      );
      for (const item of refused) {
        assert.match(unreadable.get(item.path) ?? "(not listed)", item.reason!, item.what);
      }
      for (const [path, reason] of links) assert.match(unreadable.get(path) ?? "", reason);
      assert.equal(unreadable.size, refused.length + links.length, [...unreadable.keys()].join());
      assert.ok(report.warnings.some((w: string) => w.includes('"Nobody" holds no photos')));
    });

    await t.step("train skips each bad file by name and trains on the rest", async () => {
      const r = await cli(
        allow,
        "train",
        "--data",
        corpus.train,
        "--val",
        corpus.test,
        "--model",
        model,
        "--cache",
        cache,
      );
      assert.equal(r.code, 0, r.stderr);
      for (const item of refused) assertSkipped(r.stderr, item.path, item.reason!);
      for (const [path, reason] of links) assertSkipped(r.stderr, path, reason);
      assert.match(r.stderr, /warning: Person folder "Nobody" holds no photos/);
      const noFace = corpus.items.filter((i) => i.expect === "no-face").map((i) => i.path);
      assert.match(r.stderr, new RegExp(`no face found in 2 photo\\(s\\): ${noFace.join(", ")}`));
      const info = JSON.parse(await Deno.readTextFile(join(model, "facefit.json")));
      assert.deepEqual(info.labels, PEOPLE);
      const faces = corpus.items.filter((i) => i.expect === "face").length;
      const used = /trained on (\d+) faces/.exec(r.stderr)?.[1];
      const val = /on (\d+) faces;/.exec(r.stderr)?.[1];
      assert.equal(Number(used) + Number(val), faces, "every photo with a face was used");
    });

    await t.step("predict answers for every good file and names every bad one", async () => {
      const files = [...corpus.items.map((i) => i.path), loop, self];
      const p = await cli(allow, "predict", ...files, "--model", model, "--cache", cache, "--json");
      assert.equal(p.code, 1, "some files could not be used");
      const results = JSON.parse(p.stdout) as {
        file: string;
        error?: string;
        faces: { bestGuess: string }[];
      }[];
      assert.deepEqual(results.map((r) => r.file), files, "one answer per file, in order");
      const byFile = new Map(results.map((r) => [r.file, r]));
      for (const item of corpus.items) {
        const r = byFile.get(item.path)!;
        if (item.expect === "refused") {
          assert.match(r.error ?? "(no error)", item.reason!, item.what);
          assert.ok(r.error!.includes(item.path), `the error names the file: ${r.error}`);
          assert.ok(p.stderr.includes(`error: ${r.error}`), `said on stderr: ${item.what}`);
        } else {
          assert.equal(r.error, undefined, `${item.what}: ${r.error}`);
          assert.equal(r.faces.length > 0, item.expect === "face", `${item.what}: faces`);
        }
        // Trained on: its person must be among the best guesses (the photo decoded upright).
        if (item.expect === "face" && item.path.startsWith(corpus.train)) {
          assert.ok(r.faces.some((f) => f.bestGuess === item.label), `${item.what}: person`);
        }
      }
      assert.match(byFile.get(loop)!.error!, /it is a folder; pass an image file/);
      assert.match(byFile.get(self)!.error!, /leads back to itself/);
    });

    await t.step("evaluate scores the readable test photos and names the broken one", async () => {
      const e = await cli(
        allow,
        "evaluate",
        "--data",
        corpus.test,
        "--model",
        model,
        "--cache",
        cache,
        "--json",
      );
      assert.equal(e.code, 0, e.stderr);
      const report = JSON.parse(e.stdout);
      const broken = refused.filter((i) => i.path.startsWith(corpus.test));
      assert.equal(report.total, PEOPLE.length * 2 + broken.length);
      assert.deepEqual(
        report.failed.map((f: { path: string }) => f.path),
        broken.map((i) => i.path),
      );
      for (const item of broken) assertSkipped(e.stderr, item.path, item.reason!);
      // Without --allow-ffi the report's thumbnails are PNG, never an error in their place.
      const html = await Deno.readTextFile(join(model, "report.html"));
      assert.doesNotMatch(html, /JPEG encoder/);
      if (report.correct < report.total - broken.length) assert.match(html, /data:image\/png/);
    });

    await t.step("evaluate on the training folder names every bad file there", async () => {
      const e = await cli(
        allow,
        "evaluate",
        "--data",
        corpus.train,
        "--model",
        model,
        "--cache",
        cache,
        "--json",
      );
      assert.equal(e.code, 0, e.stderr);
      const report = JSON.parse(e.stdout);
      const failed = new Map<string, string>(
        report.failed.map((f: { path: string; reason: string }) => [f.path, f.reason]),
      );
      const bad = refused.filter((i) => i.path.startsWith(corpus.train));
      for (const item of bad) {
        assert.match(failed.get(item.path) ?? "(not listed)", item.reason!, item.what);
        assertSkipped(e.stderr, item.path, item.reason!);
      }
      for (const [path, reason] of links) assertSkipped(e.stderr, path, reason);
      assert.equal(failed.size, bad.length + links.length, [...failed.keys()].join());
      const photos = corpus.items.filter((i) => i.path.startsWith(corpus.train)).length;
      assert.equal(report.total, photos, "every photo of the model's people is scored");
      assert.equal(report.noFace, 2, "the CMYK sample and the noise");
    });

    await t.step("--max-pixels refuses a large photo before decoding it", async () => {
      const p = await cli(
        allow,
        "predict",
        corpus.huge,
        "--model",
        model,
        "--no-cache",
        "--max-pixels",
        "20000000",
      );
      assert.equal(p.code, 1);
      assert.match(
        p.stderr,
        new RegExp(
          `Image "${escape(corpus.huge)}" is 6000x8000 \\(48\\.0 megapixels\\), above the ` +
            "limit of 20\\.0 megapixels; raise --max-pixels or downscale the file",
        ),
      );
    });

    await t.step("folders with one person or no image at all", async () => {
      const other = join(root, "other-model");
      const one = await cli(allow, "train", "--data", corpus.onePerson, "--model", other);
      assert.equal(one.code, 1);
      assert.match(
        one.stderr,
        /has 1 person folder\(s\) with photos; a recogniser needs at least 2/,
      );
      const none = await cli(allow, "train", "--data", corpus.noImages, "--model", other);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /has 0 person folder\(s\) with photos/);
      await assert.rejects(Deno.stat(other), Deno.errors.NotFound, "no model written");
      const e = await cli(allow, "evaluate", "--data", corpus.noImages, "--model", model);
      assert.equal(e.code, 1);
      assert.match(e.stderr, /No photo of the model's people in ".*no-images": give a folder/);
      const a = await cli(allow, "audit", "--data", corpus.noImages, "--no-faces", "--json");
      assert.equal(a.code, 0, a.stderr);
      assert.equal(JSON.parse(a.stdout).splits[0].files, 0);
    });

    await t.step("the narrow permissions are needed: no env, no JPEG decoder", async () => {
      const [read, write, , net] = allow;
      const r = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          read,
          write,
          net,
          MAIN,
          "predict",
          corpus.huge,
          "--model",
          model,
          "--no-cache",
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
      }).output();
      assert.equal(r.code, 1);
      assert.match(
        new TextDecoder().decode(r.stderr),
        /the JPEG decoder was refused a permission \(Requires env access to "IMAGESCRIPT_WASM_SIMD"/,
      );
    });
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test("the command tasks start facefit with the malloc settings the tests and benches use", async () => {
  const { tasks } = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  const prefix = Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v} `).join("");
  const commands = ["demo", "train", "predict", "evaluate", "tag", "audit", "analyze", "cluster"];
  for (const name of commands) {
    assert.ok((tasks[name] as string).startsWith(`${prefix}deno run `), name);
  }
});

Deno.test("the command tasks grant no network, no native code and no subprocesses", async () => {
  const { tasks } = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  for (const name of ["train", "predict", "evaluate", "audit", "demo"]) {
    const flags = (tasks[name] as string).split(" ").filter((f) => f.startsWith("-"));
    for (const f of flags) {
      assert.doesNotMatch(f, /^(-A|--allow-all|--allow-ffi|--allow-run|--allow-sys)/, name);
    }
    assert.ok(flags.includes("--allow-read") && flags.includes("--allow-write"), name);
    assert.ok(flags.some((f) => f.startsWith("--allow-env=")), `${name}: a list of variables`);
    if (name === "demo") {
      assert.ok(flags.includes("--allow-net=github.com,codeload.github.com"), tasks[name]);
    } else assert.ok(flags.includes("--deny-net"), name);
  }
});
