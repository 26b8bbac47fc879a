/**
 * The face regions of a photo file, wherever they are: its sidecar, else its embedded XMP.
 *
 * @module
 */
import { readOrientation } from "../image/exif.ts";
import { readImageBytes } from "../image/decode.ts";
import { readImageSize } from "../image/size.ts";
import { sniffFormat } from "../image/sniff.ts";
import { embeddedXmp } from "./embedded.ts";
import { storedSize } from "./orientation.ts";
import { type PhotoGeometry, readRegions, type RegionInfo } from "./regions.ts";
import { readSidecar } from "./sidecar.ts";

/**
 * A photo's EXIF orientation and upright size, from its header alone.
 *
 * @returns undefined when the format or size cannot be read.
 */
export function photoGeometry(bytes: Uint8Array): PhotoGeometry | undefined {
  const format = sniffFormat(bytes);
  const size = format ? readImageSize(bytes) : undefined;
  if (!format || !size) return undefined;
  const orientation = readOrientation(bytes, format);
  // The header gives the stored size; swapping it back is the same swap.
  return { orientation, ...storedSize(size.width, size.height, orientation) };
}

/** Where a photo's regions were read from. */
export interface PhotoRegions extends RegionInfo {
  /** The sidecar's path, or "embedded", or undefined when the photo has no XMP. */
  source?: string;
  /** The photo's orientation and upright size. */
  photo: PhotoGeometry;
}

/**
 * Read a photo's face regions: from its sidecar (`photo.ext.xmp`, else `photo.xmp`), else from
 * the XMP embedded in it. Boxes are normalised to the upright photo.
 *
 * @throws Error naming the file when the photo cannot be read, its size is unknown, or its XMP is
 * not well-formed.
 *
 * @example List the named faces of a photo
 * ```ts ignore
 * import { readPhotoRegions } from "../../mod.ts";
 *
 * const { regions, photo } = await readPhotoRegions("party.jpg");
 * for (const r of regions) {
 *   console.log(r.name ?? "(no name)", Math.round(r.box.x * photo.width), Math.round(r.box.y * photo.height));
 * }
 * ```
 */
export async function readPhotoRegions(path: string): Promise<PhotoRegions> {
  const bytes = await readImageBytes(path);
  const photo = photoGeometry(bytes);
  if (!photo) throw new Error(`Cannot read the size of "${path}": not an image facefit reads`);
  const sidecar = await readSidecar(path);
  const xmp = sidecar?.text ?? embeddedXmp(bytes);
  if (xmp === undefined) return { frame: "stored", regions: [], persons: [], photo };
  const source = sidecar?.path ?? "embedded";
  return {
    ...readRegions(xmp, photo, sidecar ? `Sidecar "${sidecar.path}"` : `XMP in "${path}"`),
    source,
    photo,
  };
}
