/**
 * Recognise an image format from its first bytes, never from the file name.
 *
 * @module
 */
import type { ImageFormat } from "./types.ts";

/** Human names of the formats, for messages. */
export const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = {
  jpeg: "JPEG",
  png: "PNG",
  gif: "GIF",
  tiff: "TIFF",
  webp: "WebP",
  bmp: "BMP",
  pnm: "PNM",
};

/** The advice every "unsupported format" message ends with. */
export const SUPPORTED_ADVICE = "use JPEG, PNG, WebP, GIF, TIFF, BMP or PNM";

function ascii(bytes: Uint8Array, start: number, text: string): boolean {
  if (bytes.length < start + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[start + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0b ||
    byte === 0x0c;
}

/** Sizes of the BMP info headers that exist (core, info, v2, v3, os/2 v2, v4, v5). */
const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/**
 * Sniff the format from magic bytes (never from the file name).
 *
 * @returns the format, or `undefined` when the bytes are no image format this stage knows.
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  if (ascii(bytes, 0, "\x89PNG\r\n\x1a\n")) return "png";
  if (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a")) return "gif";
  if (ascii(bytes, 0, "II*\0") || ascii(bytes, 0, "MM\0*")) return "tiff";
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) return "webp";
  if (ascii(bytes, 0, "BM") && bytes.length >= 18) {
    // "BM" alone is too weak (a text file may start with it): also require a known header size.
    const headerSize = bytes[14] | bytes[15] << 8 | bytes[16] << 16 | bytes[17] << 24;
    if (BMP_HEADER_SIZES.has(headerSize)) return "bmp";
  }
  if (bytes[0] === 0x50 && bytes[1] >= 0x31 && bytes[1] <= 0x36 && isWhitespace(bytes[2])) {
    return "pnm";
  }
  return undefined;
}

/** Known formats this stage does not decode, recognised to give a precise message. */
function knownUnsupported(bytes: Uint8Array): string | undefined {
  if (ascii(bytes, 4, "ftyp")) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (/^(avif|avis)$/.test(brand)) return "AVIF";
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) return "HEIC/HEIF";
    return undefined;
  }
  if (ascii(bytes, 0, "\xff\x0a") || ascii(bytes, 4, "JXL ")) return "JPEG XL";
  if (ascii(bytes, 0, "\0\0\0\x0cjP  ") || ascii(bytes, 0, "\xff\x4f\xff\x51")) return "JPEG 2000";
  if (ascii(bytes, 0, "II+\0") || ascii(bytes, 0, "MM\0+")) return "BigTIFF";
  if (ascii(bytes, 0, "%PDF")) return "PDF";
  if (ascii(bytes, 0, "8BPS")) return "Photoshop (PSD)";
  if (ascii(bytes, 0, "\0\0\x01\0")) return "ICO";
  if (ascii(bytes, 0, "P7\n")) return "PAM";
  return undefined;
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 64);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b < 0x20 && !isWhitespace(b)) return false;
    if (b === 0x7f) return false;
  }
  return n > 0;
}

/**
 * Why bytes that {@linkcode sniffFormat} did not recognise cannot be decoded, and what to do.
 *
 * @returns a reason such as `not a supported image format (first bytes 54 68 69 73, looks like
 *   text); use JPEG, PNG, WebP, GIF, TIFF, BMP or PNM`.
 */
export function describeUnsupported(bytes: Uint8Array): string {
  const known = knownUnsupported(bytes);
  if (known !== undefined) {
    return `${known} images are not supported; convert the file to JPEG or PNG`;
  }
  const first = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  let hint = "";
  if (looksLikeText(bytes)) {
    const head = new TextDecoder().decode(bytes.subarray(0, 512)).toLowerCase();
    hint = /<(!doctype html|html|head|body)/.test(head)
      ? ", looks like an HTML page (a failed download?)"
      : /<svg/.test(head)
      ? ", looks like an SVG drawing"
      : ", looks like text";
  }
  return `not a supported image format (first bytes ${first}${hint}); ${SUPPORTED_ADVICE}`;
}
