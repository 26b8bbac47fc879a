/**
 * Fuzzing, seeded and bounded in time: valid images of every format and a valid model folder are
 * mutated (bit flips, overwritten and inserted bytes, truncation, smashed headers, spliced files;
 * for the model, fields replaced by values of the wrong kind), then decoded or loaded in a worker
 * with a per-case timeout. Every case must either work or fail cleanly: an ImageDecodeError for
 * an image, an Error naming the model folder for a model. A hang, a crash or any other error
 * fails the test with the case's number, so it can be replayed with the same seed.
 */
import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import encodeWebp from "npm:@jsquash/webp@1.5.0/encode.js";
import { Frame, GIF, Image } from "npm:imagescript@1.3.1";
import { join } from "node:path";
import { seededRandom } from "../src/dataset/random.ts";
import { buildHead } from "../src/head/head.ts";
import { MODEL_FORMAT, type ModelInfo, saveModel } from "../src/head/model_io.ts";
import {
  ascii,
  CMYK_JPEG,
  concat,
  exifOrientationBlock,
  jpegWithExif,
  lzwEncode,
  packBits,
  pngBytes,
  tiffBytes,
} from "../src/image/test_fixtures.ts";
import type { FuzzCase, FuzzOutcome } from "./support/fuzz_worker.ts";

const SEED = 20261128;
/** Longest one case may take before it counts as a hang. */
const CASE_TIMEOUT_MS = 10_000;
/** Pixel budget of the decode cases: small, so a mutated size costs milliseconds, not seconds. */
const MAX_PIXELS = 1_000_000;

type Random = () => number;
/** A case without its id, which the sandbox assigns. */
type CaseInput = FuzzCase extends infer C ? C extends FuzzCase ? Omit<C, "id"> : never : never;
type Json = Record<string | number, unknown>;

const int = (random: Random, n: number) => Math.floor(random() * n);

/** One named mutation of some bytes; `others` are spliced in by the splicing mutations. */
function mutate(random: Random, bytes: Uint8Array, others: Uint8Array[]): [string, Uint8Array] {
  const out = bytes.slice();
  const n = out.length;
  const at = () => int(random, Math.max(1, n));
  switch (int(random, 9)) {
    case 0: {
      const k = 1 + int(random, 8);
      for (let i = 0; i < k; i++) out[at()] ^= 1 << int(random, 8);
      return [`flip ${k} bits`, out];
    }
    case 1: {
      const k = 1 + int(random, 16);
      for (let i = 0; i < k; i++) out[at()] = int(random, 256);
      return [`overwrite ${k} bytes`, out];
    }
    case 2: {
      const len = int(random, n);
      return [`truncate to ${len}`, out.subarray(0, len)];
    }
    case 3: {
      const k = 1 + int(random, 4);
      for (let i = 0; i < k; i++) out[int(random, Math.min(n, 64))] = random() < 0.5 ? 0xff : 0;
      return [`smash ${k} header bytes`, out];
    }
    case 4: {
      const pos = at(), len = 1 + int(random, 64);
      const noise = Uint8Array.from({ length: len }, () => int(random, 256));
      return [`insert ${len} at ${pos}`, concat(out.subarray(0, pos), noise, out.subarray(pos))];
    }
    case 5: {
      const pos = at(), len = 1 + int(random, Math.max(1, n - pos));
      return [`delete ${len} at ${pos}`, concat(out.subarray(0, pos), out.subarray(pos + len))];
    }
    case 6: {
      const pos = at(), len = 1 + int(random, Math.min(256, n - pos));
      const copy = out.subarray(pos, pos + len);
      return [
        `repeat ${len} at ${pos}`,
        concat(out.subarray(0, pos + len), copy, out.subarray(pos)),
      ];
    }
    case 7: {
      const other = others[int(random, others.length)];
      const pos = at(), from = int(random, other.length), len = 1 + int(random, 512);
      const piece = other.subarray(from, from + len);
      return [
        `splice ${piece.length} at ${pos}`,
        concat(out.subarray(0, pos), piece, out.subarray(pos + piece.length)),
      ];
    }
    default: {
      const pos = int(random, Math.max(1, Math.min(n - 4, 128)));
      const v = [0, 1, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff][int(random, 6)];
      new DataView(out.buffer).setUint32(Math.max(0, pos), v, random() < 0.5);
      return [`int32 ${v} at ${pos}`, out];
    }
  }
}

/** Valid images of every format the image stage reads, with some content to decode. */
async function seedImages(): Promise<Record<string, Uint8Array>> {
  const w = 24, h = 16;
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + (i >> 5) * 11) & 0xff);
  const rgba = new Image(w, h);
  for (let i = 0; i < w * h; i++) rgba.bitmap.set([...rgb.subarray(i * 3, i * 3 + 3), 200], i * 4);
  const jpeg = await rgba.encodeJPEG(80);
  const first = new Frame(w, h, 100), second = new Frame(w, h, 100);
  first.bitmap.set(rgba.bitmap);
  second.fill(0x00ff00ff);
  const webp = (lossless: number) =>
    encodeWebp(
      {
        data: new Uint8ClampedArray(rgba.bitmap),
        width: w,
        height: h,
        colorSpace: "srgb",
      } as ImageData,
      { lossless, quality: 70 },
    ).then((b) => new Uint8Array(b));
  const tiff = (compression: number, chunk: Uint8Array) =>
    tiffBytes({
      littleEndian: compression !== 1,
      width: w,
      height: h,
      bitsPerSample: [8, 8, 8],
      photometric: 2,
      compression,
      chunks: [chunk],
    });
  const bmpRow = (w * 3 + 3) & ~3;
  const bmpPixels = new Uint8Array(bmpRow * h);
  for (let y = 0; y < h; y++) bmpPixels.set(rgb.subarray(y * w * 3, (y + 1) * w * 3), y * bmpRow);
  const le = (v: number, k: number) => Array.from({ length: k }, (_, i) => v >>> (8 * i) & 0xff);
  const bmp = concat(
    ascii("BM"),
    le(54 + bmpPixels.length, 4),
    le(0, 4),
    le(54, 4),
    [...le(40, 4), ...le(w, 4), ...le(h, 4), ...le(1, 2), ...le(24, 2), ...le(0, 4)],
    [...le(bmpPixels.length, 4), ...le(2835, 4), ...le(2835, 4), ...le(0, 4), ...le(0, 4)],
    bmpPixels,
  );
  return {
    jpeg,
    "jpeg+exif": jpegWithExif(jpeg, exifOrientationBlock(6, true)),
    "jpeg cmyk": CMYK_JPEG,
    png: await rgba.encode(),
    "png rgb8": await pngBytes({ width: w, height: h, colorType: 2, bitDepth: 8, rows: rgb }),
    "png grey16": await pngBytes({
      width: w,
      height: h,
      colorType: 0,
      bitDepth: 16,
      rows: rgb.subarray(0, w * h * 2),
    }),
    "png palette": await pngBytes({
      width: w,
      height: h,
      colorType: 3,
      bitDepth: 4,
      rows: rgb.subarray(0, (w / 2) * h).map((v) => v & 0xff),
      palette: Array.from({ length: 48 }, (_, i) => i * 5),
      transparency: [0, 128],
    }),
    gif: await new GIF([first, second]).encode(),
    "webp lossy": await webp(0),
    "webp lossless": await webp(1),
    tiff: tiff(1, rgb),
    "tiff lzw": tiff(5, lzwEncode(rgb)),
    "tiff packbits": tiff(32773, packBits(rgb)),
    bmp,
    ppm: concat(ascii(`P6\n${w} ${h}\n255\n`), rgb),
    pgm: ascii(`P2\n4 2\n255\n0 50 100 150\n200 250 255 0\n`),
  };
}

/** A worker that runs cases one at a time, replaced when a case times out. */
class Sandbox {
  #worker: Worker | undefined;
  #next = 0;

  async run(c: CaseInput): Promise<FuzzOutcome | "timeout"> {
    this.#worker ??= new Worker(new URL("./support/fuzz_worker.ts", import.meta.url).href, {
      type: "module",
    });
    const worker = this.#worker;
    const id = this.#next++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await new Promise<FuzzOutcome | "timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), CASE_TIMEOUT_MS);
      worker.onmessage = (e: MessageEvent<FuzzOutcome>) => e.data.id === id && resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        resolve({ id, ok: false, name: "WorkerCrash", message: e.message, tensors: 0 });
      };
      worker.postMessage({ ...c, id } as FuzzCase);
    });
    clearTimeout(timer);
    if (outcome === "timeout" || (!outcome.ok && outcome.name === "WorkerCrash")) this.close();
    return outcome;
  }

  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}

function describe(o: FuzzOutcome | "timeout"): string {
  return o === "timeout"
    ? `no answer within ${CASE_TIMEOUT_MS} ms`
    : o.ok
    ? "ok"
    : `${o.name}: ${o.message.slice(0, 200)}`;
}

Deno.test("fuzz: mutated images decode or fail with an ImageDecodeError, never hang", async () => {
  const budget = performance.now() + 35_000;
  const seeds = Object.entries(await seedImages());
  const random = seededRandom(SEED);
  const sandbox = new Sandbox();
  const failures: string[] = [];
  const outcomes = { ok: 0, refused: 0 };
  let cases = 0;
  try {
    for (; cases < 3000 && performance.now() < budget; cases++) {
      const [format, bytes] = seeds[cases % seeds.length];
      const [mutation, mutated] = mutate(random, bytes, seeds.map((s) => s[1]));
      const o = await sandbox.run({ kind: "decode", bytes: mutated, maxPixels: MAX_PIXELS });
      const clean = o !== "timeout" && (o.ok || (
        o.name === "ImageDecodeError" && /^(Cannot decode image "fuzz\.bin"|Image "fuzz\.bin" is)/
          .test(o.message)
      ));
      if (!clean) failures.push(`case ${cases} (${format}, ${mutation}): ${describe(o)}`);
      else outcomes[(o as FuzzOutcome).ok ? "ok" : "refused"]++;
    }
  } finally {
    sandbox.close();
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases} cases failed`);
  assert.ok(cases >= 200, `only ${cases} cases ran in the time budget`);
  assert.ok(outcomes.ok > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});

function modelInfo(size: number): ModelInfo {
  const centroid = (k: number) => Array.from({ length: size }, (_, i) => Math.cos(i + k) / 2);
  return {
    format: MODEL_FORMAT,
    labels: ["Ada", "Bob", "Cy"],
    backbone: "fuzz",
    chip: { size: 150, padding: 0.25, alignment: "fuzz" },
    embedding: { size, normalize: "l2" },
    threshold: { value: 0.5, rule: "fuzz" },
    openSet: {
      score: "centroid-distance",
      rule: "fuzz",
      strangerAcceptance: 0.05,
      shrinkage: 10,
      pooled: 0.4,
      data: { heldOut: "fuzz", otherPeopleFaces: 3, unknownFaces: 0 },
      people: Object.fromEntries(
        ["Ada", "Bob", "Cy"].map((l) => [l, {
          threshold: 0.4,
          heldOut: { faces: 1, accepted: 1 },
          strangers: { faces: 1, accepted: 0 },
        }]),
      ),
      centroids: { Ada: centroid(0), Bob: centroid(1), Cy: centroid(2) },
    },
    createdAt: new Date(0).toISOString(),
    training: { epochs: 1 },
  };
}

/** Replace or delete a random value somewhere in a JSON document. */
function mutateJson(random: Random, value: unknown): [string, unknown] {
  const copy = structuredClone(value);
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.slice(0, 8).forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  walk(copy, []);
  const path = paths[1 + int(random, paths.length - 1)];
  const parent = path.slice(0, -1).reduce<Json>((o, k) => o[k] as Json, copy as Json);
  const key = path[path.length - 1];
  const replacements = [null, -1, 0, 1e9, 1.5, "", "x", [], {}, true, [1, 2], { a: 1 }];
  if (random() < 0.2 && !Array.isArray(parent)) {
    delete parent[key];
    return [`delete ${path.join(".")}`, copy];
  }
  const r = replacements[int(random, replacements.length)];
  parent[key] = structuredClone(r);
  return [`${path.join(".")} = ${JSON.stringify(r)}`, copy];
}

Deno.test("fuzz: mutated model folders load or fail with an Error naming the folder", async () => {
  await tf.setBackend("cpu");
  const budget = performance.now() + 20_000;
  const root = await Deno.makeTempDir({ prefix: "facefit-fuzz-model-" });
  const base = join(root, "base");
  const head = buildHead({ inputSize: 8, classes: 3, hidden: 4, seed: 1 });
  await saveModel(base, { head, info: modelInfo(8), metrics: { valAccuracy: 1 } });
  head.dispose();
  const files: Record<string, Uint8Array> = {};
  for (const name of ["facefit.json", "model.json", "weights.bin", "metrics.json"]) {
    files[name] = await Deno.readFile(join(base, name));
  }
  const random = seededRandom(SEED + 1);
  const sandbox = new Sandbox();
  const failures: string[] = [];
  const outcomes = { ok: 0, refused: 0 };
  const weights = JSON.parse(new TextDecoder().decode(files["model.json"])).weightsManifest[0]
    .weights.length;
  let cases = 0, tensors = 0, leaky = 0;
  try {
    for (; cases < 1500 && performance.now() < budget; cases++) {
      const dir = join(root, `m${cases}`);
      await Deno.mkdir(dir);
      const names = Object.keys(files);
      const target = names[cases % names.length];
      let mutation: string;
      let content = files[target];
      if (target.endsWith(".json") && random() < 0.7) {
        const [m, value] = mutateJson(random, JSON.parse(new TextDecoder().decode(content)));
        [mutation, content] = [m, new TextEncoder().encode(JSON.stringify(value))];
      } else if (random() < 0.1) {
        mutation = "missing";
      } else {
        [mutation, content] = mutate(random, content, Object.values(files));
      }
      for (const [name, bytes] of Object.entries(files)) {
        if (name !== target) await Deno.writeFile(join(dir, name), bytes);
        else if (mutation !== "missing") await Deno.writeFile(join(dir, name), content);
      }
      const o = await sandbox.run({ kind: "load", dir });
      const named = new RegExp(`^(Model|No facefit model at) "${dir.replace(/[.\\/]/g, "\\$&")}"`);
      const clean = o !== "timeout" && (o.ok || (o.name === "Error" && named.test(o.message)));
      if (!clean) failures.push(`case ${cases} (${target}: ${mutation}): ${describe(o)}`);
      else {
        // A model that loads frees everything with dispose(); one refused may leave at most its
        // decoded weights, which tfjs keeps when it fails half-way through building.
        const { ok, tensors: now } = o as FuzzOutcome;
        const left = now - tensors;
        tensors = now;
        if (left > (ok ? 0 : weights)) {
          failures.push(`case ${cases} (${target}: ${mutation}): ${left} tensors left`);
        }
        if (left > 0) leaky++;
        outcomes[ok ? "ok" : "refused"]++;
      }
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    sandbox.close();
    await Deno.remove(root, { recursive: true });
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases} cases failed`);
  assert.ok(cases >= 100, `only ${cases} cases ran in the time budget`);
  assert.ok(leaky < cases / 20, `${leaky} of ${cases} refused models left tensors behind`);
  assert.ok(outcomes.ok > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});
