/**
 * Write facefit's face regions into an XMP packet, editing only what is facefit's.
 *
 * The packet is parsed into a DOM (`@xmldom/xmldom`) that finds the nodes, and only these change:
 * facefit's own regions in `mwg-rs:RegionList` are removed and the new ones appended,
 * `AppliedToDimensions` is added when missing, `Iptc4xmpExt:PersonInImage` gains the new names
 * and loses the names only facefit's old regions gave, and namespaces facefit needs are declared.
 * The changes are made to the text at the places the parser located (splice.ts) rather than by
 * serialising the DOM, which would rewrite every start tag (quotes, attribute layout): every
 * other byte stays as it was, regions drawn by a person included. Only CR LF line ends become LF.
 * The result is parsed again before it is returned.
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
import type { Element } from "npm:@xmldom/xmldom@0.9.12";
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
import { escapeXml, TextEditor } from "./splice.ts";

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
  const text = (xmp ?? EMPTY_XMP).replace(/\r\n?/g, "\n");
  const doc = parseXmp(text, "the sidecar");
  const rdf = rdfRoot(doc)!;
  const editor = new TextEditor(text);
  const { photo } = update;
  const existing = findRegions(rdf);
  let holder = existing?.holder ?? descriptions(rdf)[0];
  if (!holder) {
    // An rdf:RDF without any rdf:Description: start one, and merge into that.
    editor.append(rdf, () => `<rdf:Description rdf:about=""/>`);
    return mergeRegions(editor.result(), update);
  }
  if (!is(holder, NS.rdf, "Description")) holder = topDescription(holder);
  const frame = regionFrame(appliedDimensions(existing?.value), photo);
  const ns = new Namespaces(editor, holder);

  // 1. Sort the old regions: facefit's go, a person's stay (and cover the faces they hold).
  const oldNames = new Set<string>();
  const keptNames = new Set<string>();
  const kept: UnitRect[] = [];
  const dropped: Element[] = [];
  for (const { li, value } of existing ? regionItems(existing) : []) {
    const name = (value as Map<string, unknown>).get(NS.mwgRs + "Name");
    if (isFacefitRegion(value)) {
      if (typeof name === "string") oldNames.add(name);
      dropped.push(li);
      continue;
    }
    if (typeof name === "string") keptNames.add(name);
    const box = regionBox(value, photo, frame);
    if (box) kept.push(box);
  }

  // 2. The faces a person's region does not already cover.
  const unit = (b: Box): UnitRect => ({
    x: b.x / photo.width,
    y: b.y / photo.height,
    width: b.width / photo.width,
    height: b.height / photo.height,
  });
  const fresh = update.faces.filter((f) =>
    !kept.some((k) => iou(k as Box, unit(f.box) as Box) >= OVERLAP)
  );
  const items = fresh.map((face) => {
    const rect = frame === "upright"
      ? unit(face.box)
      : uprightToStored(unit(face.box), photo.orientation);
    return (indent: string) => regionXml(ns, face, rect, update.model, indent);
  });

  // 3. The regions.
  const regionsEl = existing?.element;
  const keptCount = existing ? regionItems(existing).length - dropped.length : 0;
  if (regionsEl && keptCount === 0 && items.length === 0) {
    editor.remove(regionsEl); // nothing left: no empty list
  } else if (regionsEl) {
    dropped.forEach((li) => editor.remove(li));
    if (!properties(regionsEl).has(NS.mwgRs + "AppliedToDimensions")) {
      editor.append(regionsEl, (i) => dimensionsXml(ns, photo, frame, i));
    }
    const list = properties(regionsEl).get(NS.mwgRs + "RegionList")?.element;
    const bag = list && elements(list).find((e) => is(e, NS.rdf, "Bag") || is(e, NS.rdf, "Seq"));
    if (bag) { for (const item of items) editor.append(bag, item); }
    else if (list) editor.append(list, (i) => bagXml(items, i, ns));
    else editor.append(regionsEl, (i) => listXml(ns, items, i));
  } else if (items.length > 0) {
    editor.append(holder, (i) => regionsXml(ns, photo, frame, items, i));
  }

  // 4. PersonInImage: the names of every region, without those only facefit's old ones gave.
  const newNames = new Set(fresh.map((f) => f.name));
  const drop = new Set([...oldNames].filter((n) => !keptNames.has(n) && !newNames.has(n)));
  updatePersons(editor, ns, rdf, holder, drop, [...keptNames, ...newNames]);

  ns.declare();
  const out = editor.result();
  parseXmp(out, "facefit's merged sidecar"); // never write what does not parse
  return out;
}

/** The top-level rdf:Description that holds an element. */
function topDescription(e: Element): Element {
  let n: Element = e;
  while (n.parentNode && !is(n.parentNode as Element, NS.rdf, "RDF")) n = n.parentNode as Element;
  return n;
}

/** Prefixes for the namespaces facefit writes: as bound in the document, else declared anew. */
class Namespaces {
  readonly #editor: TextEditor;
  readonly #holder: Element;
  readonly #added = new Map<string, string>();

  constructor(editor: TextEditor, holder: Element) {
    this.#editor = editor;
    this.#holder = holder;
  }

  /** `prefix:local` for a namespace, bound at the holder (and so inside it). */
  name(namespace: string, local: string): string {
    let prefix = boundPrefix(this.#holder, namespace) ?? this.#added.get(namespace);
    if (prefix === undefined) {
      const preferred = PREFIX[namespace] ?? "ns";
      prefix = preferred;
      const taken = (p: string) =>
        boundNamespace(this.#holder, p) !== undefined || [...this.#added.values()].includes(p);
      for (let i = 1; taken(prefix); i++) prefix = `${preferred}${i}`;
      this.#added.set(namespace, prefix);
    }
    return `${prefix}:${local}`;
  }

  /** Declare the namespaces that were not bound, on the holder's start tag. */
  declare(): void {
    for (const [namespace, prefix] of this.#added) {
      this.#editor.addAttribute(this.#holder, `xmlns:${prefix}`, namespace);
    }
  }
}

/** The `xmlns:*` declarations in scope at an element, nearest first. */
function* declarations(at: Element): Generator<[prefix: string, namespace: string]> {
  for (let n: Element | null = at; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    const attrs = n.attributes;
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

/** Decimal text with at most 6 decimals. */
function num(v: number): string {
  return String(Math.round(v * 1e6) / 1e6);
}

type Item = (indent: string) => string;

/** An element holding text, or `<name rdf:parseType="Resource">` around child lines. */
function el(name: string, content: string | string[], indent: string, ns: Namespaces): string {
  if (typeof content === "string") return `<${name}>${escapeXml(content)}</${name}>`;
  const inner = `${indent} `;
  const resource = ns.name(NS.rdf, "parseType");
  return `<${name} ${resource}="Resource">` + content.map((c) => `\n${inner}${c}`).join("") +
    `\n${indent}</${name}>`;
}

function regionXml(
  ns: Namespaces,
  face: NamedFace,
  rect: UnitRect,
  model: string,
  indent: string,
): string {
  const n = (namespace: string, local: string) => ns.name(namespace, local);
  const i1 = `${indent} `, i2 = `${indent}  `;
  const area = el(
    n(NS.mwgRs, "Area"),
    [
      el(n(NS.stArea, "x"), num(rect.x + rect.width / 2), i2, ns),
      el(n(NS.stArea, "y"), num(rect.y + rect.height / 2), i2, ns),
      el(n(NS.stArea, "w"), num(rect.width), i2, ns),
      el(n(NS.stArea, "h"), num(rect.height), i2, ns),
      el(n(NS.stArea, "unit"), "normalized", i2, ns),
    ],
    i1,
    ns,
  );
  const marker = el(
    n(NS.mwgRs, "Extensions"),
    [
      el(n(NS.facefit, "Model"), model, i2, ns),
      ...(face.distance !== undefined
        ? [el(n(NS.facefit, "Distance"), num(face.distance), i2, ns)]
        : []),
    ],
    i1,
    ns,
  );
  return el(
    n(NS.rdf, "li"),
    [
      el(n(NS.mwgRs, "Name"), face.name, i1, ns),
      el(n(NS.mwgRs, "Type"), "Face", i1, ns),
      area,
      marker,
    ],
    indent,
    ns,
  );
}

function dimensionsXml(
  ns: Namespaces,
  photo: PhotoGeometry,
  frame: "stored" | "upright",
  indent: string,
): string {
  const dims = frame === "upright"
    ? { width: photo.width, height: photo.height }
    : storedSize(photo.width, photo.height, photo.orientation);
  const i1 = `${indent} `;
  return el(
    ns.name(NS.mwgRs, "AppliedToDimensions"),
    [
      el(ns.name(NS.stDim, "w"), String(dims.width), i1, ns),
      el(ns.name(NS.stDim, "h"), String(dims.height), i1, ns),
      el(ns.name(NS.stDim, "unit"), "pixel", i1, ns),
    ],
    indent,
    ns,
  );
}

function bagXml(items: Item[], indent: string, ns: Namespaces): string {
  const bag = ns.name(NS.rdf, "Bag");
  const inner = `${indent} `;
  return `<${bag}>` + items.map((item) => `\n${inner}${item(inner)}`).join("") +
    `\n${indent}</${bag}>`;
}

function listXml(ns: Namespaces, items: Item[], indent: string): string {
  const list = ns.name(NS.mwgRs, "RegionList");
  const inner = `${indent} `;
  return `<${list}>\n${inner}${bagXml(items, inner, ns)}\n${indent}</${list}>`;
}

function regionsXml(
  ns: Namespaces,
  photo: PhotoGeometry,
  frame: "stored" | "upright",
  items: Item[],
  indent: string,
): string {
  const i1 = `${indent} `;
  return el(
    ns.name(NS.mwgRs, "Regions"),
    [
      dimensionsXml(ns, photo, frame, i1),
      listXml(ns, items, i1),
    ],
    indent,
    ns,
  );
}

function updatePersons(
  editor: TextEditor,
  ns: Namespaces,
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
  const names = (indent: string) => (name: string) => () =>
    el(ns.name(NS.rdf, "li"), name, indent, ns);
  if (!prop) {
    if (add.length === 0) return;
    editor.append(holder, (indent) => {
      const person = ns.name(NS.iptcExt, "PersonInImage");
      const inner = `${indent} `;
      return `<${person}>\n${inner}${
        bagXml(add.map(names(inner)), inner, ns)
      }\n${indent}</${person}>`;
    });
    return;
  }
  const bag = elements(prop).find((e) => is(e, NS.rdf, "Bag"));
  if (!bag) return; // an unusual form: leave it as another tool wrote it
  const lis = elements(bag).filter((li) => is(li, NS.rdf, "li"));
  const present = new Set(lis.map((li) => li.textContent ?? "").filter((n) => !drop.has(n)));
  const missing = [...new Set(add)].filter((n) => !present.has(n));
  if (present.size === 0 && missing.length === 0) {
    editor.remove(prop);
    return;
  }
  for (const li of lis) if (drop.has(li.textContent ?? "")) editor.remove(li);
  for (const name of missing) editor.append(bag, (i) => names(i)(name)());
}
