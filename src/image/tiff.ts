/**
 * Baseline TIFF, decoded here because imagescript 1.3.1's TIFF decoder traps on every file
 * tried (little- and big-endian, any compression).
 *
 * Supported: both byte orders, strips and tiles, chunky samples of 1, 2, 4, 8 or 16 bits;
 * grey, RGB, palette and CMYK, with or without alpha; no compression, LZW, Deflate and
 * PackBits, with the horizontal predictor. JPEG-compressed, planar, floating-point and
 * multi-page specifics are refused (only the first page is read).
 *
 * @module
 */
import { corrupt, unsupported } from "./errors.ts";
import { TiffStructure } from "./tiff_ifd.ts";
import type { RgbImage } from "./types.ts";

const TAG = {
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  planarConfig: 284,
  predictor: 317,
  colorMap: 320,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  extraSamples: 338,
  sampleFormat: 339,
} as const;

const COMPRESSION_NAMES: Record<number, string> = {
  2: "CCITT RLE",
  3: "CCITT Group 3",
  4: "CCITT Group 4",
  6: "old-style JPEG",
  7: "JPEG",
  34712: "JPEG 2000",
  34887: "LERC",
  34925: "LZMA",
  50000: "Zstandard",
  50001: "WebP",
};

/** Width and height from the first directory, or undefined when they are missing. */
export function readTiffSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const tiff = TiffStructure.parse(bytes);
  const width = tiff?.value(TAG.width);
  const height = tiff?.value(TAG.height);
  return width && height ? { width, height } : undefined;
}

/** Decode the first page of a TIFF to RGB, without applying its orientation tag. */
export async function decodeTiff(bytes: Uint8Array): Promise<RgbImage> {
  const tiff = TiffStructure.parse(bytes);
  if (tiff === undefined) throw corrupt("the TIFF header or first directory is unreadable");
  const width = tiff.value(TAG.width, 0);
  const height = tiff.value(TAG.height, 0);
  if (width === 0 || height === 0) throw corrupt("the TIFF has no width or height");
  const spp = tiff.value(TAG.samplesPerPixel, 1);
  const bitsList = tiff.values(TAG.bitsPerSample) ?? [1];
  const bits = bitsList[0];
  if (!bitsList.every((b) => b === bits) || ![1, 2, 4, 8, 16].includes(bits)) {
    throw unsupported(`a TIFF with ${bitsList.join("/")} bits per sample`);
  }
  if (tiff.value(TAG.sampleFormat, 1) !== 1) throw unsupported("a floating-point or signed TIFF");
  if (spp > 1 && tiff.value(TAG.planarConfig, 1) !== 1) throw unsupported("a planar TIFF");
  const compression = tiff.value(TAG.compression, 1);
  if (![1, 5, 8, 32946, 32773].includes(compression)) {
    throw unsupported(`TIFF ${COMPRESSION_NAMES[compression] ?? `compression ${compression}`}`);
  }
  const predictor = tiff.value(TAG.predictor, 1);
  if (predictor !== 1 && (predictor !== 2 || bits < 8)) {
    throw unsupported(`the TIFF predictor ${predictor} with ${bits}-bit samples`);
  }
  const photometric = tiff.value(TAG.photometric, spp >= 3 ? 2 : 1);
  const colorChannels = { 0: 1, 1: 1, 2: 3, 3: 1, 5: 4 }[photometric];
  if (colorChannels === undefined) {
    throw unsupported(`the TIFF colour space ${photometric} (YCbCr, Lab or another)`);
  }
  if (spp < colorChannels) {
    throw corrupt(`the TIFF has ${spp} samples per pixel, too few for its colour space`);
  }
  const extra = tiff.values(TAG.extraSamples)?.[0];
  const alpha = spp > colorChannels && (extra === 1 || extra === 2) ? extra : 0;

  let palette: number[] | undefined;
  if (photometric === 3) {
    palette = tiff.values(TAG.colorMap);
    if (palette === undefined || palette.length < 3 << bits) {
      throw corrupt("the palette TIFF has no complete colour map");
    }
  }

  const layout = chunkLayout(tiff, width, height);
  const out = new Uint8Array(width * height * 3);
  const maxValue = (2 ** bits) - 1;
  const px = new Array<number>(spp);
  for (let k = 0; k < layout.count; k++) {
    const cx = (k % layout.across) * layout.chunkWidth;
    const cy = Math.floor(k / layout.across) * layout.chunkHeight;
    const rows = Math.min(layout.chunkHeight, layout.tiled ? layout.chunkHeight : height - cy);
    const rowBytes = Math.ceil(layout.chunkWidth * spp * bits / 8);
    const offset = layout.offsets[k];
    const length = layout.byteCounts?.[k] ??
      (compression === 1 ? rowBytes * rows : bytes.length - offset);
    if (offset + length > bytes.length) {
      throw corrupt("the TIFF data is truncated");
    }
    const raw = await decompress(
      compression,
      bytes.subarray(offset, offset + length),
      rowBytes * rows,
    );
    if (raw.length < rowBytes * rows) {
      throw corrupt("the TIFF data is truncated or corrupt");
    }
    if (predictor === 2) undoPredictor(raw, rows, rowBytes, spp, bits, tiff.littleEndian);

    const visibleWidth = Math.min(layout.chunkWidth, width - cx);
    const visibleRows = Math.min(rows, height - cy);
    for (let y = 0; y < visibleRows; y++) {
      const rowStart = y * rowBytes;
      let o = ((cy + y) * width + cx) * 3;
      for (let x = 0; x < visibleWidth; x++, o += 3) {
        for (let s = 0; s < spp; s++) {
          px[s] = sample(raw, rowStart, x * spp + s, bits, tiff.littleEndian);
        }
        let r: number, g: number, b: number;
        if (photometric === 2) {
          r = scale(px[0], maxValue);
          g = scale(px[1], maxValue);
          b = scale(px[2], maxValue);
        } else if (photometric === 3) {
          const n = 1 << bits;
          r = palette![px[0]] >> 8;
          g = palette![n + px[0]] >> 8;
          b = palette![2 * n + px[0]] >> 8;
        } else if (photometric === 5) {
          const white = 255 - scale(px[3], maxValue);
          r = (255 - scale(px[0], maxValue)) * white / 255;
          g = (255 - scale(px[1], maxValue)) * white / 255;
          b = (255 - scale(px[2], maxValue)) * white / 255;
        } else {
          const v = scale(px[0], maxValue);
          r = g = b = photometric === 0 ? 255 - v : v;
        }
        if (alpha !== 0) {
          const a = scale(px[colorChannels], maxValue);
          // Associated (premultiplied) colour already carries a; unassociated needs it applied.
          const f = alpha === 1 ? 1 : a / 255;
          r = r * f + 255 - a;
          g = g * f + 255 - a;
          b = b * f + 255 - a;
        }
        out[o] = Math.min(255, Math.round(r));
        out[o + 1] = Math.min(255, Math.round(g));
        out[o + 2] = Math.min(255, Math.round(b));
      }
    }
  }
  return { width, height, data: out };
}

function scale(v: number, maxValue: number): number {
  return maxValue === 255 ? v : Math.round(v * 255 / maxValue);
}

function sample(raw: Uint8Array, rowStart: number, index: number, bits: number, le: boolean) {
  if (bits === 8) return raw[rowStart + index];
  if (bits === 16) {
    const p = rowStart + 2 * index;
    return le ? raw[p] | raw[p + 1] << 8 : raw[p] << 8 | raw[p + 1];
  }
  const bitPos = index * bits;
  return (raw[rowStart + (bitPos >> 3)] >> (8 - bits - (bitPos & 7))) & ((1 << bits) - 1);
}

interface ChunkLayout {
  tiled: boolean;
  chunkWidth: number;
  chunkHeight: number;
  /** Chunks per row of chunks. */
  across: number;
  count: number;
  offsets: number[];
  byteCounts: number[] | undefined;
}

function chunkLayout(tiff: TiffStructure, width: number, height: number): ChunkLayout {
  const tileWidth = tiff.value(TAG.tileWidth);
  const tileHeight = tiff.value(TAG.tileLength);
  const tiled = tileWidth !== undefined && tileHeight !== undefined;
  let chunkWidth = width;
  let chunkHeight = Math.min(height, tiff.value(TAG.rowsPerStrip, height) || height);
  if (tiled) {
    if (tileWidth === 0 || tileHeight === 0) throw corrupt("the TIFF has 0-pixel tiles");
    chunkWidth = tileWidth;
    chunkHeight = tileHeight;
  }
  const across = Math.ceil(width / chunkWidth);
  const count = across * Math.ceil(height / chunkHeight);
  const offsets = tiff.values(tiled ? TAG.tileOffsets : TAG.stripOffsets);
  const byteCounts = tiff.values(tiled ? TAG.tileByteCounts : TAG.stripByteCounts);
  if (offsets === undefined || offsets.length < count) {
    throw corrupt(
      `the TIFF lists ${offsets?.length ?? 0} of its ${count} data ${tiled ? "tiles" : "strips"}`,
    );
  }
  const counts = byteCounts !== undefined && byteCounts.length >= count ? byteCounts : undefined;
  return { tiled, chunkWidth, chunkHeight, across, count, offsets, byteCounts: counts };
}

async function decompress(compression: number, data: Uint8Array, expected: number) {
  switch (compression) {
    case 1:
      return data.slice(); // a copy: the predictor is undone in place
    case 5:
      return lzwDecode(data, expected);
    case 32773:
      return packBitsDecode(data, expected);
    default: // 8 and 32946: zlib-wrapped Deflate
      return await inflate(data, expected);
  }
}

/** Inflate zlib data, stopping at `expected` bytes so a crafted strip cannot balloon memory. */
async function inflate(data: Uint8Array, expected: number): Promise<Uint8Array> {
  const out = new Uint8Array(expected);
  let n = 0;
  const reader = new Blob([data.slice()]).stream().pipeThrough(new DecompressionStream("deflate"))
    .getReader();
  try {
    while (n < expected) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, expected - n);
      out.set(value.subarray(0, take), n);
      n += take;
    }
  } catch (error) {
    // Some writers omit the zlib checksum; keep what was inflated when it is complete.
    if (n < expected) {
      throw corrupt("the TIFF's Deflate data is corrupt", error);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return out.subarray(0, n);
}

/** TIFF-flavoured LZW: MSB-first codes, 9 to 12 bits, widened one code early. */
export function lzwDecode(data: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let c = 0; c < 256; c++) {
    suffix[c] = c;
    first[c] = c;
    length[c] = 1;
  }
  const totalBits = data.length * 8;
  let bitPos = 0;
  let width = 9;
  let next = 258;
  let previous = -1;
  let o = 0;
  while (o < expected && bitPos + width <= totalBits) {
    let code = 0;
    for (let k = 0; k < width; k++, bitPos++) {
      code = code << 1 | (data[bitPos >> 3] >> (7 - (bitPos & 7))) & 1;
    }
    if (code === 257) break; // end of information
    if (code === 256) { // clear
      width = 9;
      next = 258;
      previous = -1;
      continue;
    }
    if (previous === -1) {
      if (code > 255) throw corrupt("the TIFF's LZW data is corrupt");
      out[o++] = code;
      previous = code;
      continue;
    }
    let entry: number;
    if (code < next) {
      entry = code;
      if (next < 4096) {
        prefix[next] = previous;
        suffix[next] = first[code];
        first[next] = first[previous];
        length[next] = length[previous] + 1;
      }
    } else if (code === next && next < 4096) {
      prefix[next] = previous;
      suffix[next] = first[previous];
      first[next] = first[previous];
      length[next] = length[previous] + 1;
      entry = next;
    } else {
      throw corrupt("the TIFF's LZW data is corrupt");
    }
    if (next < 4096) next++;
    // Write the entry's bytes back to front by following its prefix chain.
    const len = length[entry];
    let p = o + len - 1;
    for (let e = entry; e >= 0 && p >= o; e = e < 256 ? -1 : prefix[e], p--) {
      if (p < expected) out[p] = suffix[e];
    }
    o = Math.min(expected, o + len);
    previous = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, o);
}

/** Apple PackBits run-length decoding. */
function packBitsDecode(data: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (i < data.length && o < expected) {
    const n = (data[i++] << 24) >> 24;
    if (n >= 0) {
      const end = Math.min(i + n + 1, data.length);
      const count = Math.min(end - i, expected - o);
      out.set(data.subarray(i, i + count), o);
      o += count;
      i = end;
    } else if (n !== -128) {
      const count = Math.min(1 - n, expected - o);
      out.fill(data[i++], o, o + count);
      o += count;
    }
  }
  return out.subarray(0, o);
}

/** Undo horizontal differencing: each sample was stored minus the same sample one pixel left. */
function undoPredictor(
  raw: Uint8Array,
  rows: number,
  rowBytes: number,
  spp: number,
  bits: number,
  le: boolean,
): void {
  for (let y = 0; y < rows; y++) {
    const start = y * rowBytes;
    if (bits === 8) {
      for (let i = start + spp; i < start + rowBytes; i++) raw[i] = raw[i] + raw[i - spp];
    } else {
      const view = new DataView(raw.buffer, raw.byteOffset + start, rowBytes);
      for (let i = spp * 2; i + 1 < rowBytes; i += 2) {
        view.setUint16(i, view.getUint16(i, le) + view.getUint16(i - spp * 2, le), le);
      }
    }
  }
}
