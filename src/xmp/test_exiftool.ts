/**
 * Read metadata back with exiftool, the reference reader, in tests. Test-only; the tests that
 * need it skip themselves where it is not installed (Debian: libimage-exiftool-perl).
 *
 * @module
 */

/** Whether exiftool runs here. */
export const haveExiftool: boolean = (() => {
  try {
    return new Deno.Command("exiftool", { args: ["-ver"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** `exiftool -j -struct ARGS...`, parsed: one object of tags per file. */
export async function exiftool(args: string[]): Promise<Record<string, unknown>[]> {
  const out = await new Deno.Command("exiftool", {
    args: ["-j", "-struct", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!text.trim()) throw new Error(`exiftool failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text);
}
