/**
 * Builders of small encoded images for the tests of this stage: PNG with any colour type,
 * TIFF with any layout and compression, JPEG/PNG/WebP EXIF orientation blocks. Test-only.
 *
 * @module
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Concatenate byte arrays. */
export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** ASCII text as bytes. */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function be32(v: number): number[] {
  return [v >>> 24 & 0xff, v >>> 16 & 0xff, v >>> 8 & 0xff, v & 0xff];
}

function le32(v: number): number[] {
  return [v & 0xff, v >>> 8 & 0xff, v >>> 16 & 0xff, v >>> 24 & 0xff];
}

/** zlib-compress bytes with the platform's CompressionStream. */
export async function zlib(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(ascii(type), data);
  return concat(be32(data.length), body, be32(crc32(body)));
}

/** A PNG described by its header fields and unfiltered scanlines. */
export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  bitDepth: number;
  /** Raw scanlines, each `ceil(width * channels * bitDepth / 8)` bytes, without filter bytes. */
  rows: Uint8Array;
  /** PLTE entries as RGB triples. */
  palette?: number[];
  /** tRNS alpha per palette entry. */
  transparency?: number[];
  /** The TIFF structure to store in an eXIf chunk. */
  exif?: Uint8Array;
  /** A width/height to write in IHDR instead of the real one (for size checks). */
  headerSize?: [number, number];
}

/** Encode a PNG (filter type 0 on every row). */
export async function pngBytes(spec: PngSpec): Promise<Uint8Array> {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[spec.colorType]!;
  const rowBytes = Math.ceil(spec.width * channels * spec.bitDepth / 8);
  const filtered = new Uint8Array((rowBytes + 1) * spec.height);
  for (let y = 0; y < spec.height; y++) {
    filtered.set(spec.rows.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  }
  const [w, h] = spec.headerSize ?? [spec.width, spec.height];
  const ihdr = concat(be32(w), be32(h), [spec.bitDepth, spec.colorType, 0, 0, 0]);
  return concat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    pngChunk("IHDR", ihdr),
    spec.exif ? pngChunk("eXIf", spec.exif) : [],
    spec.palette ? pngChunk("PLTE", Uint8Array.from(spec.palette)) : [],
    spec.transparency ? pngChunk("tRNS", Uint8Array.from(spec.transparency)) : [],
    pngChunk("IDAT", await zlib(filtered)),
    pngChunk("IEND", new Uint8Array(0)),
  );
}

/** A TIFF structure (as stored in EXIF blocks) whose IFD0 holds only an orientation. */
export function exifOrientationBlock(orientation: number, littleEndian: boolean): Uint8Array {
  const u16 = (v: number) => littleEndian ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff];
  const u32 = (v: number) => littleEndian ? le32(v) : be32(v);
  return concat(
    littleEndian ? ascii("II") : ascii("MM"),
    u16(42),
    u32(8),
    u16(1), // one entry
    u16(0x0112),
    u16(3), // SHORT
    u32(1),
    u16(orientation),
    u16(0), // value padding
    u32(0), // no next IFD
  );
}

/** Insert an APP1 "Exif" segment right after the SOI marker of a JPEG. */
export function jpegWithExif(jpeg: Uint8Array, tiff: Uint8Array): Uint8Array {
  const payload = concat(ascii("Exif\0\0"), tiff);
  const length = payload.length + 2;
  return concat(
    jpeg.subarray(0, 2),
    [0xff, 0xe1, length >> 8, length & 0xff],
    payload,
    jpeg.subarray(2),
  );
}

function riffChunk(fourcc: string, data: Uint8Array): Uint8Array {
  return concat(ascii(fourcc), le32(data.length), data, data.length & 1 ? [0] : []);
}

/** Rewrap a simple (VP8 or VP8L) WebP as an extended one with a VP8X header and an EXIF chunk. */
export function webpWithExif(
  webp: Uint8Array,
  width: number,
  height: number,
  tiff: Uint8Array,
): Uint8Array {
  const image = webp.subarray(12); // the VP8/VP8L chunk after "RIFF....WEBP"
  const canvas = (v: number) => [v - 1 & 0xff, v - 1 >> 8 & 0xff, v - 1 >> 16 & 0xff];
  const vp8x = riffChunk(
    "VP8X",
    Uint8Array.from([0x08, 0, 0, 0, ...canvas(width), ...canvas(height)]),
  );
  const body = concat(ascii("WEBP"), vp8x, image, riffChunk("EXIF", tiff));
  return concat(ascii("RIFF"), le32(body.length), body);
}

/** TIFF-flavoured LZW: a clear code first, codes widened one entry early, EOI at the end. */
export function lzwEncode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let accBits = 0;
  let width = 9;
  const put = (code: number) => {
    acc = acc << width | code;
    accBits += width;
    while (accBits >= 8) {
      out.push(acc >>> (accBits - 8) & 0xff);
      accBits -= 8;
    }
    acc &= (1 << accBits) - 1;
  };
  let table = new Map<string, number>();
  let next = 258;
  const reset = () => {
    table = new Map();
    next = 258;
    width = 9;
  };
  put(256);
  let current = "";
  for (const byte of data) {
    const extended = current + String.fromCharCode(byte);
    if (extended.length === 1 || table.has(extended)) {
      current = extended;
      continue;
    }
    put(current.length === 1 ? current.charCodeAt(0) : table.get(current)!);
    table.set(extended, next++);
    // As libtiff: a full table is cleared; otherwise widen once `next` no longer fits.
    if (next === 4094) {
      put(256);
      reset();
    } else if (next >= 1 << width) width++;
    current = String.fromCharCode(byte);
  }
  if (current.length > 0) put(current.length === 1 ? current.charCodeAt(0) : table.get(current)!);
  put(257);
  if (accBits > 0) out.push(acc << (8 - accBits) & 0xff);
  return Uint8Array.from(out);
}

/** Apple PackBits: runs of 3+ equal bytes as repeats, the rest as literals. */
export function packBits(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    let run = 1;
    while (i + run < data.length && run < 128 && data[i + run] === data[i]) run++;
    if (run >= 3) {
      out.push(257 - run & 0xff, data[i]);
      i += run;
      continue;
    }
    let end = i;
    while (end < data.length && end - i < 128) {
      if (end + 2 < data.length && data[end] === data[end + 1] && data[end] === data[end + 2]) {
        break;
      }
      end++;
    }
    out.push(end - i - 1, ...data.subarray(i, end));
    i = end;
  }
  return Uint8Array.from(out);
}

/** A TIFF described by its tags and its already-encoded strips or tiles. */
export interface TiffSpec {
  littleEndian: boolean;
  width: number;
  height: number;
  bitsPerSample: number[];
  photometric: number;
  compression?: number;
  /** Encoded strips (or tiles, with `tile`), in order. */
  chunks: Uint8Array[];
  rowsPerStrip?: number;
  tile?: [number, number];
  predictor?: number;
  colorMap?: number[];
  extraSamples?: number[];
  orientation?: number;
  /** More IFD0 entries of one-byte values (BYTE, ASCII, UNDEFINED), e.g. tag 700 (XMP). */
  byteTags?: { tag: number; type: 1 | 2 | 7; bytes: Uint8Array }[];
}

/** Encode a TIFF with the given tags; the chunks are stored as they are. */
export function tiffBytes(spec: TiffSpec): Uint8Array {
  const le = spec.littleEndian;
  const u16 = (v: number) => le ? [v & 0xff, v >> 8 & 0xff] : [v >> 8 & 0xff, v & 0xff];
  const u32 = (v: number) => le ? le32(v) : be32(v);
  const entries: [number, number, number[]][] = []; // tag, type, values
  const spp = spec.bitsPerSample.length;
  entries.push([256, 4, [spec.width]], [257, 4, [spec.height]]);
  entries.push([258, 3, spec.bitsPerSample], [259, 3, [spec.compression ?? 1]]);
  entries.push([262, 3, [spec.photometric]], [277, 3, [spp]]);
  if (spec.orientation) entries.push([274, 3, [spec.orientation]]);
  if (spec.predictor) entries.push([317, 3, [spec.predictor]]);
  if (spec.colorMap) entries.push([320, 3, spec.colorMap]);
  if (spec.extraSamples) entries.push([338, 3, spec.extraSamples]);
  for (const { tag, type, bytes } of spec.byteTags ?? []) entries.push([tag, type, [...bytes]]);
  // Data first (after the 8-byte header), then the IFD.
  let offset = 8;
  const offsets = spec.chunks.map((c) => {
    const at = offset;
    offset += c.length;
    return at;
  });
  const counts = spec.chunks.map((c) => c.length);
  if (spec.tile) {
    entries.push([322, 3, [spec.tile[0]]], [323, 3, [spec.tile[1]]]);
    entries.push([324, 4, offsets], [325, 4, counts]);
  } else {
    entries.push([273, 4, offsets], [278, 4, [spec.rowsPerStrip ?? spec.height]]);
    entries.push([279, 4, counts]);
  }
  entries.sort((a, b) => a[0] - b[0]);
  const ifdOffset = offset + (offset & 1);
  const ifdSize = 2 + entries.length * 12 + 4;
  let extra = ifdOffset + ifdSize;
  const extraData: number[] = [];
  const ifd: number[] = [...u16(entries.length)];
  for (const [tag, type, values] of entries) {
    const bytes = values.flatMap((v) => type === 3 ? u16(v) : type === 4 ? u32(v) : [v]);
    ifd.push(...u16(tag), ...u16(type), ...u32(values.length));
    if (bytes.length <= 4) ifd.push(...bytes, ...new Array(4 - bytes.length).fill(0));
    else {
      ifd.push(...u32(extra));
      extraData.push(...bytes);
      extra += bytes.length;
    }
  }
  ifd.push(...u32(0));
  return concat(
    le ? ascii("II") : ascii("MM"),
    u16(42),
    u32(ifdOffset),
    ...spec.chunks,
    offset & 1 ? [0] : [],
    ifd,
    extraData,
  );
}

/**
 * A 16x8 CMYK JPEG (Adobe APP14), left half red, right half blue. No JavaScript encoder writes
 * CMYK, so these 298 bytes were made once with ImageMagick:
 * `convert -size 8x8 xc:red -size 8x8 xc:'rgb(0,0,255)' +append -colorspace CMYK -strip x.jpg`
 */
export const CMYK_JPEG = Uint8Array.from(
  atob(
    "/9j/7gAOQWRvYmUAZAAAAAAC/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4L" +
      "CxAWEBETFBUVFQwPFxgWFBgSFBUU/9sAQwEDBAQFBAUJBQUJFA0LDRQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU" +
      "FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU/8AAFAgACAAQBAERAAIRAQMRAQQRAP/EABcAAAMBAAAAAAAAAAAAAAAA" +
      "AAAHCAn/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAACQf/xAAUEQEAAAAAAAAAAAAA" +
      "AAAAAAAA/9oADgQBAAIRAxEEAAA/AKIXMVTVM/QbmND/2Q==",
  ),
  (c) => c.charCodeAt(0),
);
