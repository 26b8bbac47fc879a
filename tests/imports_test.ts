/**
 * The import rule that lets `mod.ts` load from a URL (see tests/support/npm_specifiers.ts): every
 * npm import in the code and its doc examples is `npm:name@version` with deno.json's version.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { npmPins, offences, pinSpecifiers, projectPins } from "./support/npm_specifiers.ts";

const CHECKOUT = new URL("../", import.meta.url).pathname;

/** The checker and this test, whose examples break the rule on purpose. */
const SELF = ["tests/imports_test.ts", "tests/support/npm_specifiers.ts"];

function tsFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) =>
    e.isDirectory ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );
}

Deno.test("every npm import is exact-pinned to deno.json's version, so mod.ts loads by URL", async () => {
  const pins = await projectPins();
  const files = [
    ...["src", "tests", "bench"].flatMap((d) => tsFiles(join(CHECKOUT, d))),
    join(CHECKOUT, "mod.ts"),
    join(CHECKOUT, "main.ts"),
  ].filter((file) => !SELF.includes(file.slice(CHECKOUT.length)));
  const found = files.flatMap((file) =>
    offences(Deno.readTextFileSync(file), pins).map((o) =>
      `${file.slice(CHECKOUT.length)}:${o.line}: "${o.specifier}" -> ` +
      (o.fix ? `"${o.fix}"` : "add the package to deno.json's imports (exact version) first")
    )
  );
  assert.deepEqual(
    found,
    [],
    "Import npm packages as npm:name@version, the version in deno.json's imports; fix with\n" +
      "  deno run --allow-read=. --allow-write=. tests/support/npm_specifiers.ts FILE...\n" +
      found.join("\n"),
  );
});

Deno.test("bare, unpinned and mis-versioned npm specifiers are found and rewritten", () => {
  const pins = npmPins({
    "@tensorflow/tfjs": "npm:@tensorflow/tfjs@4.22.0",
    "imagescript": "npm:imagescript@1.3.1",
  });
  const source = [
    'import * as tf from "@tensorflow/tfjs";',
    'import { Image } from "npm:imagescript@1.3.0";',
    'const png = await import("imagescript/wasm/node/png.js");',
    ' * import { initBackend } from "./backend.ts";',
    'import assert from "node:assert/strict";',
    'import { x } from "npm:imagescript@1.3.1";',
    'import { zip } from "fflate";',
  ].join("\n");
  assert.deepEqual(offences(source, pins), [
    { line: 1, specifier: "@tensorflow/tfjs", fix: "npm:@tensorflow/tfjs@4.22.0" },
    { line: 2, specifier: "npm:imagescript@1.3.0", fix: "npm:imagescript@1.3.1" },
    {
      line: 3,
      specifier: "imagescript/wasm/node/png.js",
      fix: "npm:imagescript@1.3.1/wasm/node/png.js",
    },
    { line: 7, specifier: "fflate", fix: undefined },
  ]);
  const pinned = pinSpecifiers(source, pins);
  assert.deepEqual(offences(pinned, pins), [{ line: 7, specifier: "fflate", fix: undefined }]);
  assert.match(pinned, /^import \* as tf from "npm:@tensorflow\/tfjs@4\.22\.0";$/m);
  assert.match(pinned, /await import\("npm:imagescript@1\.3\.1\/wasm\/node\/png\.js"\)/);
});

Deno.test("deno.json's imports must pin exact versions", () => {
  assert.throws(() => npmPins({ fflate: "npm:fflate@^0.8.3" }), /pin an exact version/);
});
