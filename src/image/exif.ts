/**
 * Read the EXIF orientation tag (0x0112) that cameras write instead of rotating the pixels.
 *
 * @module
 */
import { jpegSegments, pngChunks, riffChunks } from "./containers.ts";
import { TiffStructure } from "./tiff_ifd.ts";
import type { ImageFormat } from "./types.ts";

/** EXIF orientation: 1 is upright; 2..8 are the mirrorings and rotations of the EXIF spec. */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const EXIF_PREFIX = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

function hasExifPrefix(bytes: Uint8Array, start: number): boolean {
  return EXIF_PREFIX.every((b, k) => bytes[start + k] === b);
}

/** The orientation in a TIFF structure's IFD0 (an EXIF block or a TIFF file), default 1. */
export function orientationFromTiff(tiff: Uint8Array): Orientation {
  const value = TiffStructure.parse(tiff)?.value(ORIENTATION_TAG);
  return value !== undefined && value >= 1 && value <= 8 ? value as Orientation : 1;
}

/** The TIFF structure of the EXIF block inside an image file, if it has one. */
function findExif(bytes: Uint8Array, format: ImageFormat): Uint8Array | undefined {
  if (format === "jpeg") {
    for (const s of jpegSegments(bytes)) {
      if (s.marker === 0xe1 && s.length >= 14 && hasExifPrefix(bytes, s.start)) {
        return bytes.subarray(s.start + 6, s.start + s.length);
      }
    }
  } else if (format === "png") {
    for (const c of pngChunks(bytes)) {
      if (c.type === "eXIf") return withoutPrefix(bytes.subarray(c.start, c.start + c.length));
    }
  } else if (format === "webp") {
    for (const c of riffChunks(bytes)) {
      if (c.fourcc === "EXIF") return withoutPrefix(bytes.subarray(c.start, c.start + c.length));
    }
  } else if (format === "tiff") {
    return bytes;
  }
  return undefined;
}

/** Some writers put "Exif\0\0" before the TIFF header of PNG and WebP EXIF blocks; skip it. */
function withoutPrefix(block: Uint8Array): Uint8Array {
  return hasExifPrefix(block, 0) ? block.subarray(6) : block;
}

/**
 * The EXIF orientation of an encoded image: JPEG APP1, PNG eXIf, WebP EXIF or the TIFF's own tag.
 *
 * @returns 1 (upright) when the file has no orientation or an unreadable one.
 */
export function readOrientation(bytes: Uint8Array, format: ImageFormat): Orientation {
  const exif = findExif(bytes, format);
  return exif === undefined ? 1 : orientationFromTiff(exif);
}
