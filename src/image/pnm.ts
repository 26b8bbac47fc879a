/**
 * Netpbm images: PBM, PGM and PPM, binary (P4, P5, P6) and ASCII (P1, P2, P3), 1 to 16 bits.
 * Classic face data sets (AT&T/ORL, Yale) ship as PGM.
 *
 * @module
 */
import { corrupt, type FormatError } from "./errors.ts";
import type { RgbImage } from "./types.ts";

/** What a Netpbm header says. */
export interface PnmHeader {
  /** 1..6, from the magic number `P1`..`P6`. */
  kind: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Largest sample value: 1 for bitmaps, else 1..65535. */
  maxval: number;
  /** Offset of the first raster byte. */
  dataStart: number;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Reads whitespace-separated decimal numbers, skipping `#` comments, as Netpbm headers need. */
class NumberReader {
  pos: number;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array, pos: number) {
    this.#bytes = bytes;
    this.pos = pos;
  }

  /** The next number, or undefined at the end or at a non-digit. */
  next(): number | undefined {
    const b = this.#bytes;
    for (;;) {
      while (this.pos < b.length && isSpace(b[this.pos])) this.pos++;
      if (b[this.pos] !== 0x23) break; // '#'
      while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
    }
    let value = 0;
    const start = this.pos;
    while (this.pos < b.length && b[this.pos] >= 0x30 && b[this.pos] <= 0x39) {
      value = value * 10 + b[this.pos] - 0x30;
      this.pos++;
      if (value > 0xffffffff) return undefined;
    }
    return this.pos === start ? undefined : value;
  }
}

/** Parse a Netpbm header, or return undefined when it is incomplete or out of range. */
export function parsePnmHeader(bytes: Uint8Array): PnmHeader | undefined {
  if (bytes.length < 3 || bytes[0] !== 0x50) return undefined;
  const kind = bytes[1] - 0x30;
  if (kind < 1 || kind > 6) return undefined;
  const reader = new NumberReader(bytes, 2);
  const width = reader.next();
  const height = reader.next();
  const maxval = kind === 1 || kind === 4 ? 1 : reader.next();
  if (width === undefined || height === undefined || maxval === undefined) return undefined;
  if (width === 0 || height === 0 || maxval === 0 || maxval > 65535) return undefined;
  // Exactly one whitespace byte separates the header from a binary raster.
  if (!isSpace(bytes[reader.pos] ?? 0)) return undefined;
  return { kind, width, height, maxval, dataStart: reader.pos + 1 };
}

/** Decode a Netpbm image to RGB; samples are scaled from 0..maxval to 0..255. */
export function decodePnm(bytes: Uint8Array): RgbImage {
  const header = parsePnmHeader(bytes);
  if (header === undefined) {
    throw corrupt(
      "the PNM header is incomplete or invalid (it needs width, height and a maxval of 1..65535)",
    );
  }
  const { kind, width, height } = header;
  const pixels = width * height;
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const samples = new Uint8Array(pixels * channels);
  if (kind === 4) readPackedBits(bytes, header, samples);
  else if (kind === 5 || kind === 6) readBinary(bytes, header, samples);
  else readAscii(bytes, header, samples);

  if (channels === 3) return { width, height, data: samples };
  const data = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0; i < pixels; i++, o += 3) {
    data[o] = data[o + 1] = data[o + 2] = samples[i];
  }
  return { width, height, data };
}

/** A lookup table from 0..maxval to 0..255 (values above maxval clamp to 255). */
function scaleTable(maxval: number): Uint8Array {
  const table = new Uint8Array(maxval + 1);
  for (let v = 0; v <= maxval; v++) table[v] = Math.round(v * 255 / maxval);
  return table;
}

function truncated(kind: number, have: number, need: number): FormatError {
  return corrupt(`the P${kind} data is truncated (${have} of ${need} samples)`);
}

function readBinary(bytes: Uint8Array, h: PnmHeader, out: Uint8Array): void {
  const wide = h.maxval > 255;
  const need = out.length * (wide ? 2 : 1);
  const raster = bytes.subarray(h.dataStart, h.dataStart + need);
  if (raster.length < need) throw truncated(h.kind, raster.length >> (wide ? 1 : 0), out.length);
  if (!wide && h.maxval === 255) {
    out.set(raster);
    return;
  }
  const table = scaleTable(h.maxval);
  for (let i = 0; i < out.length; i++) {
    const v = wide ? raster[2 * i] << 8 | raster[2 * i + 1] : raster[i];
    out[i] = v > h.maxval ? 255 : table[v];
  }
}

function readPackedBits(bytes: Uint8Array, h: PnmHeader, out: Uint8Array): void {
  const rowBytes = (h.width + 7) >> 3;
  if (bytes.length - h.dataStart < rowBytes * h.height) {
    throw truncated(h.kind, Math.max(0, bytes.length - h.dataStart) * 8, out.length);
  }
  for (let y = 0; y < h.height; y++) {
    const row = h.dataStart + y * rowBytes;
    for (let x = 0; x < h.width; x++) {
      // In PBM, 1 is black.
      out[y * h.width + x] = (bytes[row + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
  }
}

function readAscii(bytes: Uint8Array, h: PnmHeader, out: Uint8Array): void {
  if (h.kind === 1) {
    // Plain PBM digits need no separating whitespace.
    let n = 0;
    for (let p = h.dataStart; p < bytes.length && n < out.length; p++) {
      const b = bytes[p];
      if (b === 0x23) { while (p < bytes.length && bytes[p] !== 0x0a) p++; }
      else if (b === 0x30 || b === 0x31) out[n++] = b === 0x31 ? 0 : 255;
      else if (!isSpace(b)) {
        throw corrupt(`the P1 data has a stray byte 0x${b.toString(16)}`);
      }
    }
    if (n < out.length) throw truncated(h.kind, n, out.length);
    return;
  }
  const table = scaleTable(h.maxval);
  const reader = new NumberReader(bytes, h.dataStart);
  for (let i = 0; i < out.length; i++) {
    const v = reader.next();
    if (v === undefined) throw truncated(h.kind, i, out.length);
    out[i] = v > h.maxval ? 255 : table[v];
  }
}
