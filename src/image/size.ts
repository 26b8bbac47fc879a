/**
 * Image dimensions from the header alone, to refuse huge images before any pixel is allocated.
 *
 * @module
 */
import { parseBmpHeader } from "./bmp.ts";
import { jpegSegments, riffChunks } from "./containers.ts";
import { parsePnmHeader } from "./pnm.ts";
import { sniffFormat } from "./sniff.ts";
import { readTiffSize } from "./tiff.ts";

/** Width and height of an image, in pixels. */
export interface ImageSize {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  for (const { marker, start, length } of jpegSegments(bytes)) {
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
      marker !== 0xcc;
    if (isFrame && length >= 5) {
      return {
        height: bytes[start + 1] << 8 | bytes[start + 2],
        width: bytes[start + 3] << 8 | bytes[start + 4],
      };
    }
  }
  return undefined;
}

function pngSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") {
    return undefined;
  }
  const u32 = (o: number) =>
    (bytes[o] << 24 | bytes[o + 1] << 16 | bytes[o + 2] << 8 | bytes[o + 3]) >>> 0;
  return { width: u32(16), height: u32(20) };
}

function webpSize(bytes: Uint8Array): ImageSize | undefined {
  for (const { fourcc, start: s, length } of riffChunks(bytes)) {
    const b = bytes;
    if (
      fourcc === "VP8 " && length >= 10 && b[s + 3] === 0x9d && b[s + 4] === 0x01 &&
      b[s + 5] === 0x2a
    ) {
      return {
        width: (b[s + 6] | b[s + 7] << 8) & 0x3fff,
        height: (b[s + 8] | b[s + 9] << 8) & 0x3fff,
      };
    }
    if (fourcc === "VP8L" && length >= 5 && b[s] === 0x2f) {
      const bits = (b[s + 1] | b[s + 2] << 8 | b[s + 3] << 16 | b[s + 4] << 24) >>> 0;
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (fourcc === "VP8X" && length >= 10) {
      return {
        width: (b[s + 4] | b[s + 5] << 8 | b[s + 6] << 16) + 1,
        height: (b[s + 7] | b[s + 8] << 8 | b[s + 9] << 16) + 1,
      };
    }
    return undefined; // the image chunk, or VP8X, comes first
  }
  return undefined;
}

/**
 * Width/height read from the header only (no decode), or undefined if not parseable.
 *
 * The size is the stored one: an EXIF orientation of 5..8 swaps it once decoded.
 */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  let size: ImageSize | undefined;
  switch (sniffFormat(bytes)) {
    case "jpeg":
      size = jpegSize(bytes);
      break;
    case "png":
      size = pngSize(bytes);
      break;
    case "gif":
      size = bytes.length >= 10
        ? { width: bytes[6] | bytes[7] << 8, height: bytes[8] | bytes[9] << 8 }
        : undefined;
      break;
    case "webp":
      size = webpSize(bytes);
      break;
    case "tiff":
      size = readTiffSize(bytes);
      break;
    case "bmp":
      size = parseBmpHeader(bytes);
      break;
    case "pnm":
      size = parsePnmHeader(bytes);
      break;
  }
  return size && size.width > 0 && size.height > 0
    ? { width: size.width, height: size.height }
    : undefined;
}
