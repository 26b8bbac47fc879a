/**
 * facefit as a new user gets it: a program in an empty folder (no deno.json, no import map)
 * imports `mod.ts` by http URL, trains on a few real photos, saves the model, loads it back and
 * names the faces of other photos, with the narrow permissions the README documents. The same
 * program, importing `mod.ts` by local path, must name them the same.
 */
import assert from "node:assert/strict";
import { dirname, extname, join, relative } from "node:path";
import { copySubset, haveData, PEOPLE } from "./support/cli.ts";
import { consumerSource } from "./support/consumer.ts";

const CHECKOUT = new URL("../", import.meta.url).pathname;

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript; charset=utf-8",
  ".json": "application/json",
};

/** Serve the checkout's files over loopback HTTP, TypeScript with a TypeScript content type. */
function serveCheckout(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = join(CHECKOUT, decodeURIComponent(new URL(request.url).pathname));
    if (relative(CHECKOUT, path).startsWith("..")) return new Response(null, { status: 403 });
    try {
      const body = await Deno.readFile(path);
      const type = CONTENT_TYPES[extname(path)] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

/** Deno's npm cache, which the consumer must be allowed to read (weights and WASM files). */
async function npmCache(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).npmCache;
}

/** True when `dir` or a folder above it holds a Deno or npm config that the consumer would see. */
function configAbove(dir: string): string | undefined {
  for (let d = dir;; d = dirname(d)) {
    for (const name of ["deno.json", "deno.jsonc", "package.json"]) {
      try {
        Deno.statSync(join(d, name));
        return join(d, name);
      } catch {
        // not there
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

interface Consumer {
  /** The folder holding the model, the photos and the cache. */
  root: string;
  /** The collection to train on. */
  data: string;
  /** The photos to name, each in a folder named after the person. */
  photos: string[];
}

/** Write the consumer importing `modUrl` into a new empty folder and run it with `permissions`. */
async function runConsumer(
  c: Consumer,
  modUrl: string,
  permissions: string[],
): Promise<Map<string, string[]>> {
  const folder = await Deno.makeTempDir({ dir: c.root, prefix: "consumer-" });
  assert.equal(configAbove(folder), undefined, "the consumer's folder must see no config");
  await Deno.writeTextFile(join(folder, "main.ts"), consumerSource(modUrl));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "main.ts", c.data, join(folder, "model"), ...c.photos],
    cwd: folder,
    env: { NO_COLOR: "1", FACEFIT_CACHE: join(c.root, "cache") },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `the consumer of ${modUrl} failed:\n${stderr}\n${stdout}`);
  const [workers, ...lines] = stdout.trim().split("\n");
  assert.equal(workers, "workers\t1", `the SSD worker of ${modUrl} did not start:\n${stderr}`);
  const names = new Map<string, string[]>();
  for (const line of lines) {
    const [photo, faces] = line.split("\t");
    names.set(photo, faces ? faces.split(",") : []);
  }
  return names;
}

Deno.test({
  name: "a program in an empty folder imports mod.ts by URL, trains, saves, loads and names faces",
  ignore: !haveData,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "facefit-url-import-" });
    const data = join(root, "data"), test = join(root, "test");
    await copySubset("Train", data, 0, 5);
    // Five photos a person make a strict stranger threshold: Test/Messi/Messi-11.jpg (the second
    // by name) is then called unknown (the head guesses Pique), so the photos start at the fourth.
    await copySubset("Test", test, 3, 2);
    const photos = PEOPLE.flatMap((person) =>
      [...Deno.readDirSync(join(test, person))].map((e) => join(test, person, e.name))
    ).sort();
    const consumer = { root, data, photos };
    // What the README tells a user to grant, narrowed to this run's folders.
    const permissions = [
      `--allow-read=${root},${await npmCache()}`,
      `--allow-write=${root}`,
      "--allow-env=FACEFIT_CACHE,IMAGESCRIPT_WASM_SIMD",
    ];

    const server = serveCheckout();
    let byUrl: Map<string, string[]>;
    try {
      const host = `127.0.0.1:${server.addr.port}`;
      byUrl = await runConsumer(consumer, `http://${host}/mod.ts`, [
        `--allow-import=${host}`,
        ...permissions,
      ]);
    } finally {
      await server.shutdown();
    }

    assert.deepEqual([...byUrl.keys()].sort(), photos);
    for (const photo of photos) {
      const person = relative(test, photo).split("/")[0];
      assert.equal(byUrl.get(photo)?.[0], person, `the most confident face of ${photo}`);
    }

    const byPath = await runConsumer(consumer, join(CHECKOUT, "mod.ts"), [
      `--allow-read=${root},${CHECKOUT},${await npmCache()}`,
      ...permissions.slice(1),
    ]);
    assert.deepEqual(byPath, byUrl);
    await Deno.remove(root, { recursive: true });
  },
});
