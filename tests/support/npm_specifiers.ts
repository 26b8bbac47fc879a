/**
 * The import rule that lets `mod.ts` load from a URL: facefit's modules import npm packages by
 * exact-pinned `npm:name@version` specifiers, with the versions of deno.json's `imports`, never
 * by bare name (a remote module's bare names are not resolved through facefit's deno.json).
 *
 * Run it to rewrite bare specifiers in place:
 *
 * ```sh
 * deno run --allow-read=. --allow-write=. tests/support/npm_specifiers.ts src/new_stage/*.ts
 * ```
 *
 * @module
 */

/** A specifier in a file that breaks the rule, with the one to write instead. */
export interface Offence {
  /** 1-based line number. */
  line: number;
  /** The specifier as written. */
  specifier: string;
  /** The specifier to write, or undefined when no deno.json import covers it. */
  fix: string | undefined;
}

// `from "x"`, `import "x"`, `import("x")` and `typeof import("x")`, in code and doc examples.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\1/g;

/** Package name -> exact-pinned `npm:name@version`, from deno.json's `imports`. */
export function npmPins(imports: Record<string, string>): Map<string, string> {
  const pins = new Map<string, string>();
  for (const [name, target] of Object.entries(imports)) {
    if (!/^npm:(@[^/@]+\/)?[^/@]+@\d+\.\d+\.\d+$/.test(target)) {
      throw new Error(
        `deno.json maps "${name}" to "${target}": pin an exact version, e.g. "npm:${name}@1.2.3"`,
      );
    }
    pins.set(name, target);
  }
  return pins;
}

/** The package name a bare or `npm:` specifier names: `@scope/name` or `name`. */
function packageOf(specifier: string): { name: string; version?: string; rest: string } {
  const bare = specifier.replace(/^npm:/, "");
  const m = bare.match(/^((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(\/.*)?$/);
  return m ? { name: m[1], version: m[2], rest: m[3] ?? "" } : { name: bare, rest: "" };
}

/** What the rule allows: relative and absolute paths, `node:` and the pinned `npm:` forms. */
function check(specifier: string, pins: Map<string, string>): string | undefined | null {
  if (/^(\.{1,2}\/|\/|node:|https?:\/\/)/.test(specifier) || specifier.includes("${")) return null;
  const { name, rest } = packageOf(specifier);
  const pin = pins.get(name);
  const fix = pin === undefined ? undefined : pin + rest;
  return specifier === fix ? null : fix;
}

/** Every specifier in `source` that breaks the rule. */
export function offences(source: string, pins: Map<string, string>): Offence[] {
  const found: Offence[] = [];
  source.split("\n").forEach((text, i) => {
    for (const m of text.matchAll(SPECIFIER)) {
      const fix = check(m[2], pins);
      if (fix !== null) found.push({ line: i + 1, specifier: m[2], fix });
    }
  });
  return found;
}

/** `source` with every specifier that has a fix rewritten to it. */
export function pinSpecifiers(source: string, pins: Map<string, string>): string {
  return source.replace(SPECIFIER, (whole, quote: string, specifier: string) => {
    const fix = check(specifier, pins);
    return fix ? whole.replace(`${quote}${specifier}${quote}`, `${quote}${fix}${quote}`) : whole;
  });
}

/** deno.json's npm pins. */
export async function projectPins(): Promise<Map<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  return npmPins(config.imports ?? {});
}

if (import.meta.main) {
  const pins = await projectPins();
  for (const file of Deno.args) {
    const source = await Deno.readTextFile(file);
    const pinned = pinSpecifiers(source, pins);
    if (pinned !== source) await Deno.writeTextFile(file, pinned);
    for (const o of offences(pinned, pins)) {
      console.error(`${file}:${o.line}: "${o.specifier}" is not in deno.json's imports`);
    }
  }
}
