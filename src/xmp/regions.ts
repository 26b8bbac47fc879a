/**
 * Read MWG face regions (`mwg-rs:Regions`) and `Iptc4xmpExt:PersonInImage` from XMP text, with
 * every rectangle turned into the upright photo's frame.
 *
 * @module
 */
import type { Element } from "npm:@xmldom/xmldom@0.9.12";
import type { Orientation } from "../image/exif.ts";
import { storedToUpright, type UnitRect } from "./orientation.ts";
import {
  descriptions,
  elements,
  is,
  NS,
  parseXmp,
  properties,
  type Property,
  rdfRoot,
  type RdfStruct,
  type RdfValue,
  struct,
  text,
} from "./rdf.ts";

/** One region of `mwg-rs:RegionList`, in the upright photo's frame. */
export interface FaceRegion {
  /** `mwg-rs:Name`: the person; undefined for a region without a name. */
  name?: string;
  /** `mwg-rs:Type`: "Face", "Pet", "Focus", "BarCode", or undefined. */
  type?: string;
  /** The rectangle, normalised to the upright photo (top-left corner, 0..1). */
  box: UnitRect;
  /** Whether facefit wrote the region (it carries facefit's marker, see merge.ts). */
  byFacefit: boolean;
}

/** The face metadata of one XMP packet. */
export interface RegionInfo {
  /** `mwg-rs:AppliedToDimensions` in pixels, when given. */
  appliedTo?: { width: number; height: number };
  /** Which frame the areas were taken to be in (see {@linkcode regionFrame}). */
  frame: "stored" | "upright";
  /** Every region with a usable `mwg-rs:Area`, in list order. */
  regions: FaceRegion[];
  /** `Iptc4xmpExt:PersonInImage`. */
  persons: string[];
}

/** The photo a packet belongs to: its EXIF orientation and upright size. */
export interface PhotoGeometry {
  /** EXIF orientation of the photo (1 when none). */
  orientation: Orientation;
  /** Width of the upright photo in pixels. */
  width: number;
  /** Height of the upright photo in pixels. */
  height: number;
}

/**
 * Which frame a packet's areas are in. MWG says the stored image's (see orientation.ts); a writer
 * that used the displayed image instead shows it by `AppliedToDimensions` that match the upright
 * size and not the stored one (only possible for orientations 5 to 8 and a photo that is not
 * square). Such areas are read, and written back, in the upright frame.
 */
export function regionFrame(
  appliedTo: { width: number; height: number } | undefined,
  photo: PhotoGeometry,
): "stored" | "upright" {
  if (!appliedTo || photo.orientation < 5) return "stored";
  const ratio = appliedTo.width / appliedTo.height;
  const upright = photo.width / photo.height;
  const close = (a: number, b: number) => Math.abs(a - b) < 0.01 * Math.max(a, b);
  return close(ratio, upright) && !close(ratio, 1 / upright) ? "upright" : "stored";
}

/** The `mwg-rs:Regions` property of a document, if any. */
export function findRegions(rdf: Element): Property | undefined {
  for (const d of descriptions(rdf)) {
    const p = properties(d).get(NS.mwgRs + "Regions");
    if (p) return p;
  }
  return undefined;
}

/** The `rdf:li` elements of a Regions property's `RegionList`, with their values. */
export function regionItems(regions: Property): { li: Element; value: RdfValue }[] {
  if (!regions.element) return [];
  const list = properties(regions.element).get(NS.mwgRs + "RegionList")?.element;
  const array = list && elements(list).find((k) => is(k, NS.rdf, "Bag") || is(k, NS.rdf, "Seq"));
  if (!array) return [];
  return elements(array).filter((li) => is(li, NS.rdf, "li")).map((li) => ({
    li,
    value: regionValue(li),
  }));
}

/** A `rdf:li` of a RegionList as a struct (its fields are the region's). */
function regionValue(li: Element): RdfValue {
  const fields: RdfStruct = new Map();
  for (const [k, p] of properties(li)) fields.set(k, p.value);
  return fields;
}

/** `AppliedToDimensions` of a Regions value, in pixels. */
export function appliedDimensions(
  regions: RdfValue | undefined,
): { width: number; height: number } | undefined {
  const dims = struct(
    regions instanceof Map ? regions : undefined,
    NS.mwgRs + "AppliedToDimensions",
  );
  const width = Number(text(dims, NS.stDim + "w"));
  const height = Number(text(dims, NS.stDim + "h"));
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** Whether a region's struct carries facefit's marker. */
export function isFacefitRegion(value: RdfValue): boolean {
  const ext = struct(value instanceof Map ? value : undefined, NS.mwgRs + "Extensions");
  return ext?.has(NS.facefit + "Model") ?? false;
}

/**
 * A region's rectangle in the upright frame; undefined when its area is missing, not
 * normalised, or outside the photo.
 */
export function regionBox(
  value: RdfValue,
  photo: PhotoGeometry,
  frame: "stored" | "upright",
): UnitRect | undefined {
  const area = struct(value instanceof Map ? value : undefined, NS.mwgRs + "Area");
  if (!area) return undefined;
  const unit = text(area, NS.stArea + "unit");
  if (unit !== undefined && unit !== "normalized") return undefined;
  const [x, y, w, h] = ["x", "y", "w", "h"].map((k) => Number(text(area, NS.stArea + k)));
  if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) return undefined;
  // stArea:x/y are the centre of the area.
  const rect = { x: x - w / 2, y: y - h / 2, width: w, height: h };
  if (rect.x + rect.width <= 0 || rect.y + rect.height <= 0 || rect.x >= 1 || rect.y >= 1) {
    return undefined;
  }
  const upright = frame === "upright" ? rect : storedToUpright(rect, photo.orientation);
  // Rounded far below the 6 decimals written, so that 0.1 + 0.2 reads as 0.3.
  const r = (v: number) => Math.round(v * 1e9) / 1e9;
  return { x: r(upright.x), y: r(upright.y), width: r(upright.width), height: r(upright.height) };
}

/**
 * Read the face regions and names of an XMP packet.
 *
 * @param xmp the packet's text (a sidecar, or XMP embedded in a photo).
 * @param photo the photo's orientation and upright size, which place the regions.
 * @throws XmpParseError when the text is not well-formed XMP.
 *
 * @example A region written by another tool, on a photo stored on its side (orientation 6)
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRegions } from "./regions.ts";
 *
 * const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 *   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
 *   xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
 *   xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">
 *   <mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag><rdf:li>
 *   <rdf:Description mwg-rs:Name="Ada" mwg-rs:Type="Face"><mwg-rs:Area stArea:x="0.25"
 *   stArea:y="0.875" stArea:w="0.5" stArea:h="0.25" stArea:unit="normalized"/></rdf:Description>
 *   </rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions></rdf:Description></rdf:RDF>
 *   </x:xmpmeta>`;
 * const info = readRegions(xmp, { orientation: 6, width: 300, height: 400 });
 * assert.equal(info.regions[0].name, "Ada");
 * // Bottom-left of the stored pixels is top-left of the upright photo.
 * assert.deepEqual(info.regions[0].box, { x: 0, y: 0, width: 0.25, height: 0.5 });
 * ```
 */
export function readRegions(xmp: string, photo: PhotoGeometry, source?: string): RegionInfo {
  const rdf = rdfRoot(parseXmp(xmp, source))!;
  const regions = findRegions(rdf);
  const appliedTo = appliedDimensions(regions?.value);
  const frame = regionFrame(appliedTo, photo);
  const out: FaceRegion[] = [];
  for (const { value } of regions ? regionItems(regions) : []) {
    const box = regionBox(value, photo, frame);
    if (!box) continue;
    const s = value as RdfStruct;
    const name = text(s, NS.mwgRs + "Name")?.trim();
    out.push({
      ...(name ? { name } : {}),
      ...(text(s, NS.mwgRs + "Type") ? { type: text(s, NS.mwgRs + "Type") } : {}),
      box,
      byFacefit: isFacefitRegion(value),
    });
  }
  return { ...(appliedTo ? { appliedTo } : {}), frame, regions: out, persons: persons(rdf) };
}

/** `Iptc4xmpExt:PersonInImage` of a document. */
function persons(rdf: Element): string[] {
  for (const d of descriptions(rdf)) {
    const p = properties(d).get(NS.iptcExt + "PersonInImage");
    if (p) {
      const v = p.value;
      return (Array.isArray(v) ? v : [v]).filter((s): s is string => typeof s === "string");
    }
  }
  return [];
}
