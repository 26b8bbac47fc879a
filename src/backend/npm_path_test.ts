import assert from "node:assert/strict";
import { packageDir } from "./npm_path.ts";
import "npm:@tensorflow/tfjs-backend-wasm@4.22.0";

Deno.test("packageDir finds an imported package's folder as a file URL", async () => {
  const dir = packageDir("@tensorflow/tfjs-backend-wasm", "4.22.0");
  assert.equal(dir.protocol, "file:");
  assert.ok(dir.href.endsWith("/"));
  const manifest = JSON.parse(await Deno.readTextFile(new URL("package.json", dir)));
  assert.equal(manifest.name, "@tensorflow/tfjs-backend-wasm");
  assert.equal(manifest.version, "4.22.0");
});

Deno.test("packageDir names a package it cannot find and says what to do", () => {
  assert.throws(
    () => packageDir("@facefit/no-such-package", "1.0.0"),
    /Cannot find the npm package "@facefit\/no-such-package@1\.0\.0"/,
  );
});
