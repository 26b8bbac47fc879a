/**
 * Write facefit's face regions into an XMP packet, editing only what is facefit's.
 *
 * The packet is parsed into a DOM (`@xmldom/xmldom`), and only these nodes change: facefit's own
 * regions in `mwg-rs:RegionList` are removed and the new ones appended, `AppliedToDimensions` is
 * added when missing, and `Iptc4xmpExt:PersonInImage` gains the new names and loses the names
 * only facefit's old regions gave. Every other node, regions drawn by a person included, is
 * serialised as it was read, so the rest of the file stays byte for byte the same.
 *
 * facefit marks its regions with the extension point MWG provides for this,
 * `mwg-rs:Extensions`, holding `facefit:Model` (the model's id) and `facefit:Distance` in
 * facefit's namespace (`https://facefit.dev/ns/xmp/1.0/`). Readers that do not know it show the
 * region as any other; a region without the marker is never touched. A new face that overlaps a
 * region drawn by a person (IoU at least {@linkcode OVERLAP}) gets no second region: the person's
 * region, and name, win.
 *
 * @module
 */
import type { Document, Element, Node } from "@xmldom/xmldom";
import { XMLSerializer } from "@xmldom/xmldom";
import type { Box } from "../face/geometry.ts";
import { iou } from "../face/geometry.ts";
import { storedSize, type UnitRect, uprightToStored } from "./orientation.ts";
import {
  appliedDimensions,
  findRegions,
  isFacefitRegion,
  type PhotoGeometry,
  regionBox,
  regionFrame,
  regionItems,
} from "./regions.ts";
import { descriptions, elements, is, NS, parseXmp, PREFIX, properties, rdfRoot } from "./rdf.ts";

/** A face for facefit to write: the person and where, in the upright photo's pixels. */
export interface NamedFace {
  /** The person's name. */
  name: string;
  /** The face's box in the upright photo's pixels (as `Recognizer` gives it). */
  box: Box;
  /** Distance to the person's centroid, written into facefit's marker when given. */
  distance?: number;
}

/** What to write. */
export interface RegionUpdate {
  /** The photo's orientation and upright size. */
  photo: PhotoGeometry;
  /** The faces to name; replaces every region facefit wrote before. */
  faces: readonly NamedFace[];
  /** Identifies the model, written into every region facefit writes. */
  model: string;
}

/** Overlap (IoU) above which a region drawn by a person stands for a face facefit found. */
export const OVERLAP = 0.3;

/** The packet of a new sidecar. */
export const EMPTY_XMP = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="facefit">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="">
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

/**
 * Merge facefit's regions into an XMP packet.
 *
 * @param xmp the existing packet (a sidecar's text), or undefined for a new one.
 * @returns the new packet's text.
 * @throws XmpParseError when `xmp` is not well-formed XMP: it is left alone rather than replaced.
 *
 * @example Name a face in a new sidecar
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeRegions } from "./merge.ts";
 * import { readRegions } from "./regions.ts";
 *
 * const photo = { orientation: 1 as const, width: 400, height: 300 };
 * const xmp = mergeRegions(undefined, {
 *   photo,
 *   model: "example",
 *   faces: [{ name: "Ada", box: { x: 100, y: 60, width: 80, height: 90 } }],
 * });
 * const [region] = readRegions(xmp, photo).regions;
 * assert.equal(region.name, "Ada");
 * assert.deepEqual(region.box, { x: 0.25, y: 0.2, width: 0.2, height: 0.3 });
 * ```
 */
export function mergeRegions(xmp: string | undefined, update: RegionUpdate): string {
  const doc = parseXmp(xmp ?? EMPTY_XMP, "the sidecar");
  const rdf = rdfRoot(doc)!;
  const { photo } = update;
  const existing = findRegions(rdf);
  const holder = existing?.holder ?? descriptions(rdf)[0] ?? addDescription(doc, rdf);
  const frame = regionFrame(appliedDimensions(existing?.value), photo);

  // 1. Drop facefit's old regions; keep the others, and note the faces they cover.
  const oldNames = new Set<string>();
  const keptNames = new Set<string>();
  const kept: UnitRect[] = [];
  for (const { li, value } of existing ? regionItems(existing) : []) {
    const name = (value as Map<string, unknown>).get(NS.mwgRs + "Name");
    if (isFacefitRegion(value)) {
      if (typeof name === "string") oldNames.add(name);
      removeWithIndent(li);
      continue;
    }
    if (typeof name === "string") keptNames.add(name);
    const box = regionBox(value, photo, frame);
    if (box) kept.push(box);
  }

  // 2. Faces a person's region does not already cover.
  const unit = (b: Box): UnitRect => ({
    x: b.x / photo.width,
    y: b.y / photo.height,
    width: b.width / photo.width,
    height: b.height / photo.height,
  });
  const fresh = update.faces.filter((f) =>
    !kept.some((k) => iou(asBox(k), asBox(unit(f.box))) >= OVERLAP)
  );

  // 3. Write them.
  const regionsEl = existing?.element ?? (fresh.length > 0 ? addRegions(doc, holder) : undefined);
  if (regionsEl) {
    if (!properties(regionsEl).has(NS.mwgRs + "AppliedToDimensions")) {
      const dims = storedSize(photo.width, photo.height, photo.orientation);
      const applied = frame === "upright" ? { width: photo.width, height: photo.height } : dims;
      const el = addProperty(doc, regionsEl, NS.mwgRs, "AppliedToDimensions");
      el.setAttributeNS(NS.rdf, prefixed(el, NS.rdf, "parseType"), "Resource");
      addText(doc, el, NS.stDim, "w", String(applied.width));
      addText(doc, el, NS.stDim, "h", String(applied.height));
      addText(doc, el, NS.stDim, "unit", "pixel");
    }
    const bag = regionBag(doc, regionsEl);
    for (const face of fresh) {
      const rect = frame === "upright"
        ? unit(face.box)
        : uprightToStored(unit(face.box), photo.orientation);
      const li = addProperty(doc, bag, NS.rdf, "li");
      li.setAttributeNS(NS.rdf, prefixed(li, NS.rdf, "parseType"), "Resource");
      addText(doc, li, NS.mwgRs, "Name", face.name);
      addText(doc, li, NS.mwgRs, "Type", "Face");
      const area = addProperty(doc, li, NS.mwgRs, "Area");
      area.setAttributeNS(NS.rdf, prefixed(area, NS.rdf, "parseType"), "Resource");
      addText(doc, area, NS.stArea, "x", num(rect.x + rect.width / 2));
      addText(doc, area, NS.stArea, "y", num(rect.y + rect.height / 2));
      addText(doc, area, NS.stArea, "w", num(rect.width));
      addText(doc, area, NS.stArea, "h", num(rect.height));
      addText(doc, area, NS.stArea, "unit", "normalized");
      const ext = addProperty(doc, li, NS.mwgRs, "Extensions");
      ext.setAttributeNS(NS.rdf, prefixed(ext, NS.rdf, "parseType"), "Resource");
      addText(doc, ext, NS.facefit, "Model", update.model);
      if (face.distance !== undefined) {
        addText(doc, ext, NS.facefit, "Distance", num(face.distance));
      }
    }
    if (elements(bag).length === 0) removeWithIndent(regionsEl); // nothing left: no empty list
  }

  // 4. PersonInImage: the names of every region, without names only facefit's old ones gave.
  const newNames = new Set(fresh.map((f) => f.name));
  const drop = new Set([...oldNames].filter((n) => !keptNames.has(n) && !newNames.has(n)));
  updatePersons(doc, rdf, holder, drop, [...keptNames, ...newNames]);
  return new XMLSerializer().serializeToString(doc);
}

function asBox(r: UnitRect): Box {
  return r;
}

/** Decimal text with at most 6 decimals. */
function num(v: number): string {
  return String(Math.round(v * 1e6) / 1e6);
}

function updatePersons(
  doc: Document,
  rdf: Element,
  holder: Element,
  drop: Set<string>,
  add: string[],
): void {
  let prop: Element | undefined;
  for (const d of descriptions(rdf)) {
    prop = properties(d).get(NS.iptcExt + "PersonInImage")?.element;
    if (prop) break;
  }
  if (!prop && add.length === 0) return;
  let bag = prop && elements(prop).find((e) => is(e, NS.rdf, "Bag"));
  if (prop && !bag) return; // an unusual form: leave it as another tool wrote it
  if (!prop) {
    prop = addProperty(doc, holder, NS.iptcExt, "PersonInImage");
    bag = addProperty(doc, prop, NS.rdf, "Bag");
  }
  const present = new Set<string>();
  for (const li of elements(bag!)) {
    const name = li.textContent ?? "";
    if (drop.has(name)) removeWithIndent(li);
    else present.add(name);
  }
  for (const name of add) {
    if (!present.has(name)) addText(doc, bag!, NS.rdf, "li", name);
    present.add(name);
  }
  if (elements(bag!).length === 0) removeWithIndent(prop);
}

/** The `rdf:Bag` of a Regions element's RegionList, created when missing. */
function regionBag(doc: Document, regions: Element): Element {
  let list = properties(regions).get(NS.mwgRs + "RegionList")?.element;
  if (!list) list = addProperty(doc, regions, NS.mwgRs, "RegionList");
  const bag = elements(list).find((e) => is(e, NS.rdf, "Bag") || is(e, NS.rdf, "Seq"));
  return bag ?? addProperty(doc, list, NS.rdf, "Bag");
}

function addRegions(doc: Document, holder: Element): Element {
  const el = addProperty(doc, holder, NS.mwgRs, "Regions");
  el.setAttributeNS(NS.rdf, prefixed(el, NS.rdf, "parseType"), "Resource");
  return el;
}

function addDescription(doc: Document, rdf: Element): Element {
  const d = addProperty(doc, rdf, NS.rdf, "Description");
  d.setAttributeNS(NS.rdf, prefixed(d, NS.rdf, "about"), "");
  return d;
}

/** `prefix:local` for a namespace, declaring it on the nearest `rdf:Description` if needed. */
function prefixed(at: Element, namespace: string, local: string): string {
  let prefix = boundPrefix(at, namespace);
  if (prefix === undefined) {
    const preferred = PREFIX[namespace] ?? "ns";
    prefix = preferred;
    for (let i = 1; boundNamespace(at, prefix) !== undefined; i++) prefix = `${preferred}${i}`;
    declarationSite(at).setAttributeNS(NS.xmlns, `xmlns:${prefix}`, namespace);
  }
  return `${prefix}:${local}`;
}

/** The `xmlns:*` declarations in scope at an element, nearest first. */
function* declarations(at: Element): Generator<[prefix: string, namespace: string]> {
  for (let n: Node | null = at; n && n.nodeType === 1; n = n.parentNode) {
    const attrs = (n as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      if (attrs[i].name.startsWith("xmlns:")) yield [attrs[i].name.slice(6), attrs[i].value];
    }
  }
}

function boundPrefix(at: Element, namespace: string): string | undefined {
  const seen = new Set<string>();
  for (const [prefix, ns] of declarations(at)) {
    if (ns === namespace && !seen.has(prefix)) return prefix;
    seen.add(prefix);
  }
  return undefined;
}

function boundNamespace(at: Element, prefix: string): string | undefined {
  for (const [p, ns] of declarations(at)) if (p === prefix) return ns;
  return undefined;
}

/** Where to declare a namespace: the enclosing top-level `rdf:Description`, else `at`. */
function declarationSite(at: Element): Element {
  for (let n: Node | null = at; n; n = n.parentNode) {
    const e = n as Element;
    if (
      n.nodeType === 1 && is(e, NS.rdf, "Description") && e.parentNode &&
      is(e.parentNode as Element, NS.rdf, "RDF")
    ) return e;
  }
  return at;
}

/** Append a new element as the last child of `parent`, indented like its siblings. */
function addProperty(doc: Document, parent: Element, namespace: string, local: string): Element {
  // Created with a placeholder name, then renamed once it is in the tree and prefixes resolve.
  const placeholder = doc.createElementNS(namespace, `${PREFIX[namespace] ?? "ns"}:${local}`);
  appendIndented(doc, parent, placeholder);
  const name = prefixed(placeholder, namespace, local);
  if (name === placeholder.tagName) return placeholder;
  const el = doc.createElementNS(namespace, name);
  parent.replaceChild(el, placeholder);
  return el;
}

function addText(
  doc: Document,
  parent: Element,
  namespace: string,
  local: string,
  value: string,
): Element {
  const el = addProperty(doc, parent, namespace, local);
  el.appendChild(doc.createTextNode(value));
  return el;
}

/** The indentation of an element's line. */
function indentOf(e: Node): string {
  const prev = e.previousSibling;
  if (prev && prev.nodeType === 3) {
    const m = /\n([ \t]*)$/.exec((prev as unknown as { data: string }).data);
    if (m) return m[1];
  }
  return "";
}

function appendIndented(doc: Document, parent: Element, child: Element): void {
  const indent = indentOf(parent);
  const last = parent.lastChild;
  if (last && last.nodeType === 3 && /^\s*$/.test((last as unknown as { data: string }).data)) {
    parent.insertBefore(doc.createTextNode(`\n${indent} `), last);
    parent.insertBefore(child, last);
  } else if (!parent.firstChild) {
    parent.appendChild(doc.createTextNode(`\n${indent} `));
    parent.appendChild(child);
    parent.appendChild(doc.createTextNode(`\n${indent}`));
  } else {
    parent.appendChild(child);
  }
}

/** Remove an element and the whitespace that indented it. */
function removeWithIndent(e: Element): void {
  const prev = e.previousSibling;
  if (prev && prev.nodeType === 3 && /^\s*$/.test((prev as unknown as { data: string }).data)) {
    prev.parentNode!.removeChild(prev);
  }
  e.parentNode!.removeChild(e);
}
