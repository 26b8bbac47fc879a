/**
 * Find files that npm packages ship (WASM binaries, pretrained weights) on disk, wherever Deno put
 * the package: a local node_modules/ or Deno's global npm cache.
 *
 * This works however facefit itself was loaded, from a checkout, a local path or an http(s) URL:
 * `import.meta.resolve` maps an exact-pinned `npm:` specifier to the package's file URL once the
 * package is part of the module graph. (`createRequire(import.meta.url)`, the obvious Node way,
 * accepts only a file URL, so it fails as soon as this module comes from a web server.)
 *
 * @module
 */

/**
 * The folder of an npm package, as a file URL ending in "/".
 *
 * The package must be in the module graph: the module that needs its files imports it
 * statically, by the same exact-pinned `npm:name@version` specifier.
 *
 * @param name the package name, e.g. "@vladmandic/face-api"
 * @param version the exact version that facefit's modules import, e.g. "1.7.15"
 * @throws Error when the package is not installed or not in the module graph.
 */
export function packageDir(name: string, version: string): URL {
  const specifier = `npm:${name}@${version}/package.json`;
  let resolved: string;
  try {
    resolved = import.meta.resolve(specifier);
  } catch (error) {
    throw new Error(
      `Cannot find the npm package "${name}@${version}": run "deno install" in the project folder ` +
        `(${error instanceof Error ? error.message : error})`,
    );
  }
  if (!resolved.startsWith("file:")) {
    throw new Error(
      `Cannot find the npm package "${name}@${version}" on disk ("${specifier}" resolved to ` +
        `"${resolved}"): import "npm:${name}@${version}" statically from the module that reads ` +
        "its files, so that Deno installs it with the module graph",
    );
  }
  return new URL("./", resolved);
}
