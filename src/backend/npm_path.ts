/**
 * Find files that npm packages ship (WASM binaries, pretrained weights) on disk, wherever Deno put
 * the package: a local node_modules/ or Deno's global npm cache.
 *
 * @module
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * The folder of an installed npm package, as a file URL ending in "/".
 *
 * @param name the package name, e.g. "@vladmandic/face-api"
 */
export function packageDir(name: string): URL {
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch (error) {
    throw new Error(
      `Cannot find the npm package "${name}": run "deno install" in the project folder ` +
        `(${error instanceof Error ? error.message : error})`,
    );
  }
  const url = new URL(`file://${manifest}`);
  return new URL("./", url);
}
