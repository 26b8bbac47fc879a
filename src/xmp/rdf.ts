/**
 * Just enough RDF/XML to read XMP properties in every form writers use: attributes on
 * `rdf:Description` (shorthand), child elements, `rdf:parseType="Resource"`, nested
 * `rdf:Description`, and arrays (`rdf:Bag`, `rdf:Seq`, `rdf:Alt`). Properties are matched by
 * namespace URI, never by prefix, since any prefix may be bound to a namespace.
 *
 * @module
 */
import { DOMParser, type Element, type Node } from "npm:@xmldom/xmldom@0.9.12";

/** Namespace URIs of the properties facefit reads and writes. */
export const NS = {
  x: "adobe:ns:meta/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  xmlns: "http://www.w3.org/2000/xmlns/",
  mwgRs: "http://www.metadataworkinggroup.com/schemas/regions/",
  stArea: "http://ns.adobe.com/xmp/sType/Area#",
  stDim: "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
  iptcExt: "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
  /** `xmpNote:HasExtendedXMP` names a JPEG's extended XMP (see extended.ts). */
  xmpNote: "http://ns.adobe.com/xmp/note/",
  /** facefit's own namespace: marks the regions it wrote (see merge.ts). */
  facefit: "https://facefit.dev/ns/xmp/1.0/",
} as const;

/** The usual prefix of each namespace, used when the document has none bound to it. */
export const PREFIX: Record<string, string> = {
  [NS.mwgRs]: "mwg-rs",
  [NS.stArea]: "stArea",
  [NS.stDim]: "stDim",
  [NS.iptcExt]: "Iptc4xmpExt",
  [NS.facefit]: "facefit",
  [NS.rdf]: "rdf",
  [NS.x]: "x",
};

/** An RDF value: text, a struct (properties by `namespace + localName`), or an array. */
export type RdfValue = string | RdfStruct | RdfValue[];
/** A struct's fields by `namespace + localName`, e.g. `NS.stArea + "x"`. */
export type RdfStruct = Map<string, RdfValue>;

/** A parse failure: the text is not well-formed XML or holds no `rdf:RDF`. */
export class XmpParseError extends Error {
  /** "XmpParseError". */
  override name = "XmpParseError";
}

/** Parse XMP text into a DOM; throws {@linkcode XmpParseError} when it is not well-formed. */
export function parseXmp(text: string, source = "XMP"): ReturnType<DOMParser["parseFromString"]> {
  let doc: ReturnType<DOMParser["parseFromString"]>;
  try {
    doc = new DOMParser({
      locator: true,
      onError: (level, message) => {
        if (level !== "warning") throw new XmpParseError(message);
      },
    }).parseFromString(text, "text/xml");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new XmpParseError(
      `${source} is not well-formed XML (${message.split("\n")[0]}); fix or remove it`,
    );
  }
  if (!rdfRoot(doc)) throw new XmpParseError(`${source} holds no rdf:RDF element`);
  return doc;
}

/** The document's `rdf:RDF` element. */
export function rdfRoot(doc: { documentElement: Element | null }): Element | undefined {
  const root = doc.documentElement;
  if (!root) return undefined;
  if (is(root, NS.rdf, "RDF")) return root;
  return elements(root).find((e) => is(e, NS.rdf, "RDF"));
}

/** The child elements of a node. */
export function elements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) out.push(c as Element);
  }
  return out;
}

/** Whether an element is `namespace:local`. */
export function is(e: Element, namespace: string, local: string): boolean {
  return e.namespaceURI === namespace && e.localName === local;
}

/** The `rdf:Description` elements at the top of an `rdf:RDF`. */
export function descriptions(rdf: Element): Element[] {
  return elements(rdf).filter((e) => is(e, NS.rdf, "Description"));
}

/** A property: its element (absent for the attribute form) and its value. */
export interface Property {
  /** The property's element; undefined when it is an attribute. */
  element?: Element;
  /** Which element holds it: an `rdf:Description` or a struct's element. */
  holder: Element;
  /** The value. */
  value: RdfValue;
}

/**
 * Every property of a node whose properties are its attributes and child elements (an
 * `rdf:Description`, or a property element with `rdf:parseType="Resource"`), with nested
 * `rdf:Description` children looked into.
 */
export function properties(node: Element): Map<string, Property> {
  const out = new Map<string, Property>();
  const attrs = node.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i];
    if (!a.namespaceURI || a.namespaceURI === NS.rdf || a.namespaceURI === NS.xmlns) continue;
    if (a.namespaceURI === "http://www.w3.org/XML/1998/namespace") continue;
    out.set(a.namespaceURI + a.localName, { holder: node, value: a.value });
  }
  for (const child of elements(node)) {
    if (is(child, NS.rdf, "Description")) {
      for (const [k, v] of properties(child)) out.set(k, v);
    } else if (child.namespaceURI && child.namespaceURI !== NS.rdf) {
      out.set(child.namespaceURI + child.localName, {
        element: child,
        holder: node,
        value: valueOf(child),
      });
    }
  }
  return out;
}

/** The value of a property element. */
export function valueOf(e: Element): RdfValue {
  const kids = elements(e);
  const array = kids.find((k) =>
    is(k, NS.rdf, "Bag") || is(k, NS.rdf, "Seq") || is(k, NS.rdf, "Alt")
  );
  if (array) return elements(array).filter((li) => is(li, NS.rdf, "li")).map(valueOf);
  const structural = e.getAttributeNS(NS.rdf, "parseType") === "Resource" || kids.length > 0 ||
    hasPropertyAttributes(e);
  if (!structural) return e.textContent ?? "";
  const fields: RdfStruct = new Map();
  for (const [k, p] of properties(e)) fields.set(k, p.value);
  return fields;
}

function hasPropertyAttributes(e: Element): boolean {
  const attrs = e.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const ns = attrs[i].namespaceURI;
    if (ns && ns !== NS.rdf && ns !== NS.xmlns && ns !== "http://www.w3.org/XML/1998/namespace") {
      return true;
    }
  }
  return false;
}

/** A struct field as text, or undefined. */
export function text(s: RdfStruct | undefined, key: string): string | undefined {
  const v = s?.get(key);
  return typeof v === "string" ? v : undefined;
}

/** A struct field as a struct, or undefined. */
export function struct(s: RdfStruct | undefined, key: string): RdfStruct | undefined {
  const v = s?.get(key);
  return v instanceof Map ? v : undefined;
}
