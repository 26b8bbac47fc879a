/**
 * Windows BMP: uncompressed 1/4/8-bit palette, 16/24/32-bit direct colour and BI_BITFIELDS.
 * RLE-compressed and embedded JPEG/PNG bitmaps are refused with a clear message.
 *
 * @module
 */
import { corrupt, unsupported } from "./errors.ts";
import type { RgbImage } from "./types.ts";

/** What a BMP header says, enough to size and decode it. */
export interface BmpHeader {
  /** Width in pixels. */
  width: number;
  /** Height in pixels (always positive). */
  height: number;
  /** True when rows are stored top row first (negative height in the file). */
  topDown: boolean;
  /** Bits per pixel: 1, 4, 8, 16, 24 or 32 for the supported files. */
  bitsPerPixel: number;
  /** The compression field: 0 none, 1 RLE8, 2 RLE4, 3 bit fields, ... */
  compression: number;
  /** Offset of the first pixel byte in the file. */
  dataOffset: number;
  /** Size of the info header, which tells its version. */
  headerSize: number;
}

function u16(b: Uint8Array, o: number): number {
  return b[o] | b[o + 1] << 8;
}

function i32(b: Uint8Array, o: number): number {
  return b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24;
}

/** Parse the BMP file and info headers, or return undefined when they are cut short. */
export function parseBmpHeader(bytes: Uint8Array): BmpHeader | undefined {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return undefined;
  const dataOffset = i32(bytes, 10) >>> 0;
  const headerSize = i32(bytes, 14) >>> 0;
  if (headerSize === 12) {
    // OS/2 BITMAPCOREHEADER: 16-bit unsigned sizes, no compression field.
    return {
      width: u16(bytes, 18),
      height: u16(bytes, 20),
      topDown: false,
      bitsPerPixel: u16(bytes, 24),
      compression: 0,
      dataOffset,
      headerSize,
    };
  }
  if (bytes.length < 34) return undefined;
  const rawHeight = i32(bytes, 22);
  return {
    width: Math.abs(i32(bytes, 18)),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel: u16(bytes, 28),
    compression: i32(bytes, 30) >>> 0,
    dataOffset,
    headerSize,
  };
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: "RLE8", 2: "RLE4", 4: "JPEG", 5: "PNG" };

/** A channel mask turned into a shift and a scale to 0..255. */
interface Channel {
  mask: number;
  shift: number;
  max: number;
}

function channel(mask: number): Channel {
  mask >>>= 0;
  if (mask === 0) return { mask: 0, shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { mask, shift, max: mask >>> shift };
}

function extract(c: Channel, pixel: number): number {
  if (c.max === 0) return 0;
  const v = (pixel & c.mask) >>> c.shift;
  return c.max === 255 ? v : Math.round(v * 255 / c.max);
}

/** Decode a BMP to RGB; an alpha channel, when the file has a real one, is composited over white. */
export function decodeBmp(bytes: Uint8Array): RgbImage {
  const h = parseBmpHeader(bytes);
  if (h === undefined) throw corrupt("the BMP header is cut short");
  const { width, height, bitsPerPixel: bpp } = h;
  if (width === 0 || height === 0) throw corrupt(`the BMP header says ${width}x${height} pixels`);
  if (
    h.compression !== BI_RGB && h.compression !== BI_BITFIELDS &&
    h.compression !== BI_ALPHABITFIELDS
  ) {
    const name = COMPRESSION_NAMES[h.compression] ?? `type ${h.compression}`;
    throw unsupported(`${name}-compressed BMP`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) {
    throw unsupported(`BMP with ${bpp} bits per pixel`);
  }
  const stride = ((width * bpp + 31) >>> 5) * 4;
  if (h.dataOffset + stride * height > bytes.length) {
    throw corrupt(
      `the BMP pixel data is truncated (${bytes.length} bytes, needs ${
        h.dataOffset + stride * height
      })`,
    );
  }

  // Palette entries are BGR0 (BGR for the OS/2 header), right after the info header.
  const paletteStart = 14 + h.headerSize +
    (h.compression === BI_BITFIELDS && h.headerSize === 40
      ? 12
      : h.compression === BI_ALPHABITFIELDS && h.headerSize === 40
      ? 16
      : 0);
  const entrySize = h.headerSize === 12 ? 3 : 4;

  let masks: [number, number, number, number];
  if (h.compression === BI_RGB) {
    masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0x00ff00, 0x0000ff, 0];
  } else {
    masks = [i32(bytes, 54), i32(bytes, 58), i32(bytes, 62), 0];
    if (h.headerSize >= 56 || h.compression === BI_ALPHABITFIELDS) masks[3] = i32(bytes, 66);
  }
  const [r, g, b, a] = masks.map(channel);

  const pixels = width * height;
  const rgba = new Uint8Array(pixels * 4);
  let anyAlpha = false;
  for (let y = 0; y < height; y++) {
    const row = h.dataOffset + (h.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (bpp <= 8) {
        const bitPos = x * bpp;
        const index = (bytes[row + (bitPos >> 3)] >> (8 - bpp - (bitPos & 7))) & ((1 << bpp) - 1);
        const p = paletteStart + index * entrySize;
        if (p + 2 >= bytes.length) {
          throw corrupt(`the BMP palette has no entry ${index}`);
        }
        rgba[o] = bytes[p + 2];
        rgba[o + 1] = bytes[p + 1];
        rgba[o + 2] = bytes[p];
        rgba[o + 3] = 255;
      } else if (bpp === 24) {
        const p = row + x * 3;
        rgba[o] = bytes[p + 2];
        rgba[o + 1] = bytes[p + 1];
        rgba[o + 2] = bytes[p];
        rgba[o + 3] = 255;
      } else {
        const p = row + x * (bpp >> 3);
        const value = bpp === 16 ? u16(bytes, p) : i32(bytes, p) >>> 0;
        rgba[o] = extract(r, value);
        rgba[o + 1] = extract(g, value);
        rgba[o + 2] = extract(b, value);
        rgba[o + 3] = a.max === 0 ? 255 : extract(a, value);
        if (rgba[o + 3] !== 0) anyAlpha = true;
      }
    }
  }
  const data = new Uint8Array(pixels * 3);
  // Many writers leave the alpha bytes of 32-bit BMPs at 0: all-zero alpha means "opaque".
  const useAlpha = a.max !== 0 && anyAlpha;
  for (let i = 0, o = 0; i < pixels; i++, o += 3) {
    const alpha = useAlpha ? rgba[i * 4 + 3] : 255;
    const white = 255 * (255 - alpha) + 127;
    for (let c = 0; c < 3; c++) data[o + c] = (rgba[i * 4 + c] * alpha + white) / 255 | 0;
  }
  return { width, height, data };
}
