/**
 * JPEG Extended XMP (XMP specification part 3, 1.1.3.1). A JPEG segment holds at most 64 KB, so
 * when a photo's XMP grows past that, writers (Lightroom, Photoshop, exiftool) move whole
 * top-level properties into an "extended" packet: face regions (`mwg-rs:Regions`) with many
 * faces, Camera Raw settings, `photoshop:History`. The extended packet is split over APP1
 * segments that start with `http://ns.adobe.com/xmp/extension/\0`, then a 32-byte ASCII GUID,
 * the packet's full length and the chunk's offset (4 bytes each, big-endian), then the chunk;
 * the main packet names it by `xmpNote:HasExtendedXMP` = that GUID (the MD5 of the extended
 * packet, in upper-case hex).
 *
 * Reading follows the Adobe XMP Toolkit (`JPEG_MetaHandler::ProcessXMP`,
 * `SXMPUtils::MergeFromJPEG`): only the chunks of the GUID the main packet names are used, in
 * offset order whatever their file order; an extended packet whose chunks leave a gap is ignored
 * (so is one that is not well-formed); its MD5 is not recomputed. The two packets become one:
 * each top-level property of the extended packet replaces any of the same name in the main one,
 * and `xmpNote:HasExtendedXMP` is removed, since it "must only be in the file": the merged packet
 * holds everything, so a sidecar started from it (see tag.ts) names no data it lacks.
 *
 * The merge edits the main packet's text (splice.ts), like merge.ts: every byte it does not
 * change stays as it was, and the extended packet's `rdf:Description` elements are copied in as
 * written, with the namespace declarations they relied on from their ancestors.
 *
 * @module
 */
import type { Element } from "npm:@xmldom/xmldom@0.9.12";
import { jpegSegments } from "../image/containers.ts";
import { descriptions, NS, parseXmp, properties, rdfRoot } from "./rdf.ts";
import { escapeXml, TextEditor } from "./splice.ts";

/** The signature of an extended XMP segment. */
const SIGNATURE = "http://ns.adobe.com/xmp/extension/\0";
/** Signature, GUID, full length, offset. */
const HEADER = SIGNATURE.length + 32 + 4 + 4;
const HAS_EXTENDED = NS.xmpNote + "HasExtendedXMP";

/**
 * The GUID the main packet names by `xmpNote:HasExtendedXMP`; undefined when it names none or
 * does not parse.
 */
export function extendedGuid(main: string): string | undefined {
  if (!main.includes("HasExtendedXMP")) return undefined; // the usual case, without a parse
  let rdf: Element;
  try {
    rdf = rdfRoot(parseXmp(main))!;
  } catch {
    return undefined;
  }
  for (const d of descriptions(rdf)) {
    const value = properties(d).get(HAS_EXTENDED)?.value;
    if (typeof value === "string") return value.trim();
  }
  return undefined;
}

/**
 * Put together the extended XMP packet of `guid` from a JPEG's extension segments.
 *
 * @returns the packet's text; undefined when no segment carries `guid`, or its chunks leave a
 * gap, overrun the stated length, or disagree on it.
 *
 * @example Two chunks, stored in reverse order
 * ```ts
 * import assert from "node:assert/strict";
 * import { extendedXmp } from "./extended.ts";
 *
 * const guid = "0123456789ABCDEF0123456789ABCDEF";
 * const segment = (offset: number, chunk: string) => {
 *   const payload = [
 *     ...new TextEncoder().encode(`http://ns.adobe.com/xmp/extension/\0${guid}`),
 *     0, 0, 0, 10, 0, 0, 0, offset,
 *     ...new TextEncoder().encode(chunk),
 *   ];
 *   return [0xff, 0xe1, 0, payload.length + 2, ...payload];
 * };
 * const jpeg = Uint8Array.from([0xff, 0xd8, ...segment(4, "efghij"), ...segment(0, "abcd")]);
 * assert.equal(extendedXmp(jpeg, guid), "abcdefghij");
 * assert.equal(extendedXmp(jpeg, "F".repeat(32)), undefined);
 * ```
 */
export function extendedXmp(jpeg: Uint8Array, guid: string): string | undefined {
  if (guid.length !== 32) return undefined;
  const chunks: { offset: number; data: Uint8Array }[] = [];
  let fullLength: number | undefined;
  for (const { marker, start, length } of jpegSegments(jpeg)) {
    if (marker !== 0xe1 || length < HEADER || !startsWith(jpeg, start, SIGNATURE)) continue;
    if (!startsWith(jpeg, start + SIGNATURE.length, guid)) continue;
    const at = start + SIGNATURE.length + 32;
    const full = u32(jpeg, at), offset = u32(jpeg, at + 4);
    if (fullLength !== undefined && full !== fullLength) return undefined;
    fullLength = full;
    chunks.push({ offset, data: jpeg.subarray(at + 8, start + length) });
  }
  // Chunks too short to fill the stated length leave a gap: no need to allocate it to know.
  const total = chunks.reduce((n, c) => n + c.data.length, 0);
  if (fullLength === undefined || total < fullLength) return undefined;
  const packet = new Uint8Array(fullLength);
  let covered = 0;
  for (const { offset, data } of chunks.sort((a, b) => a.offset - b.offset)) {
    if (offset > covered || offset + data.length > fullLength) return undefined;
    packet.set(data, offset);
    covered = Math.max(covered, offset + data.length);
  }
  return covered === fullLength ? new TextDecoder().decode(packet) : undefined;
}

/**
 * One packet from a JPEG's main and extended XMP: the extended packet's top-level properties
 * replace those of the same name in the main one, and `xmpNote:HasExtendedXMP` goes.
 *
 * @param main the main packet's text.
 * @param extended the extended packet's text, or undefined when the photo has none (or an
 * unreadable one): then only `xmpNote:HasExtendedXMP` is removed.
 * @returns the merged text (line ends as `\n`); `main` itself when it does not parse.
 */
export function mergeExtendedXmp(main: string, extended: string | undefined): string {
  const text = main.replace(/\r\n?/g, "\n");
  // The extended packet first; should it spoil the result, the main packet alone.
  for (const extra of extended === undefined ? [undefined] : [extended, undefined]) {
    try {
      const merged = merge(text, extra?.replace(/\r\n?/g, "\n"));
      parseXmp(merged);
      return merged;
    } catch {
      // next try
    }
  }
  return main;
}

function merge(main: string, extended: string | undefined): string {
  const rdf = rdfRoot(parseXmp(main, "the main XMP packet"))!;
  const extRdf = extended === undefined
    ? undefined
    : rdfRoot(parseXmp(extended, "the extended XMP packet"))!;
  const copied = extRdf ? descriptions(extRdf) : [];
  const replaced = new Set([HAS_EXTENDED]);
  for (const d of copied) for (const key of properties(d).keys()) replaced.add(key);

  const editor = new TextEditor(main);
  for (const d of descriptions(rdf)) {
    const props = properties(d);
    const gone = [...props.entries()].filter(([key]) => replaced.has(key));
    if (gone.length === 0) continue;
    if (gone.length === props.size) {
      editor.remove(d); // nothing of it is left
      continue;
    }
    for (const [key, p] of gone) {
      if (p.element) editor.remove(p.element);
      else editor.removeAttribute(p.holder, attributeName(p.holder, key));
    }
  }
  if (extended !== undefined) {
    const source = new TextEditor(extended);
    const bound = declarations(rdf);
    for (const d of copied) editor.append(rdf, () => standalone(source, d, bound));
  }
  return editor.result();
}

/** The name, as written, of the attribute of `holder` that is the property `key`. */
function attributeName(holder: Element, key: string): string {
  const attrs = holder.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i];
    if (a.namespaceURI !== null && a.namespaceURI + a.localName === key) return a.name;
  }
  throw new Error(`No attribute "${key}"`); // properties() found it there
}

/** The namespace declarations in scope at an element (`xmlns:p` or `xmlns` to URI), nearest first. */
function declarations(element: Element): Map<string, string> {
  const out = new Map<string, string>();
  for (let n: Element | null = element; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    const a = n.attributes;
    for (let i = 0; i < a.length; i++) {
      const name = a[i].name;
      if ((name === "xmlns" || name.startsWith("xmlns:")) && !out.has(name)) {
        out.set(name, a[i].value);
      }
    }
  }
  return out;
}

/**
 * An element's text with the namespace declarations it inherits from its ancestors written on
 * its start tag (those not `bound` alike where it goes), so that it means the same there.
 */
function standalone(source: TextEditor, element: Element, bound: Map<string, string>): string {
  const own = new Set<string>();
  const attrs = element.attributes;
  for (let i = 0; i < attrs.length; i++) own.add(attrs[i].name);
  const inherited: string[] = [];
  const parent = element.parentNode as Element;
  for (const [name, uri] of declarations(parent)) {
    if (!own.has(name) && bound.get(name) !== uri) inherited.push(` ${name}="${escapeXml(uri)}"`);
  }
  const start = source.start(element), end = source.end(element);
  const tagEnd = source.startTagEnd(element);
  const at = source.text[tagEnd - 2] === "/" ? tagEnd - 2 : tagEnd - 1;
  return source.text.slice(start, at) + inherited.join("") + source.text.slice(at, end);
}

function startsWith(bytes: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (bytes[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24 | bytes[at + 1] << 16 | bytes[at + 2] << 8 | bytes[at + 3]) >>> 0;
}
