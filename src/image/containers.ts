/**
 * Walk the segment and chunk structure of JPEG, PNG and RIFF (WebP) files without decoding
 * pixels. Every walker stops quietly at the first malformed or truncated structure.
 *
 * @module
 */

/** One JPEG marker segment: `start` and `length` delimit its payload (after the length field). */
export interface JpegSegment {
  /** The marker byte after 0xFF (0xE1 for APP1, 0xC0 for SOF0, ...). */
  marker: number;
  /** Offset of the payload. */
  start: number;
  /** Payload length in bytes. */
  length: number;
}

/** The marker segments of a JPEG, from just after SOI up to (not including) the scan data. */
export function* jpegSegments(bytes: Uint8Array): Generator<JpegSegment> {
  let i = 2;
  while (i + 1 < bytes.length) {
    if (bytes[i] !== 0xff) return;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length field
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return; // end of image, start of scan
    if (i + 3 >= bytes.length) return;
    const length = (bytes[i + 2] << 8 | bytes[i + 3]) - 2;
    if (length < 0 || i + 4 + length > bytes.length) return;
    yield { marker, start: i + 4, length };
    i += 4 + length;
  }
}

/** One PNG chunk: its four-letter type and where its data lies. */
export interface PngChunk {
  /** The chunk type, such as "IHDR" or "eXIf". */
  type: string;
  /** Offset of the chunk data. */
  start: number;
  /** Data length in bytes. */
  length: number;
}

/** The chunks of a PNG, in file order, up to IEND. */
export function* pngChunks(bytes: Uint8Array): Generator<PngChunk> {
  let i = 8;
  while (i + 8 <= bytes.length) {
    const length = (bytes[i] << 24 | bytes[i + 1] << 16 | bytes[i + 2] << 8 | bytes[i + 3]) >>> 0;
    const type = String.fromCharCode(bytes[i + 4], bytes[i + 5], bytes[i + 6], bytes[i + 7]);
    if (i + 8 + length > bytes.length) return;
    yield { type, start: i + 8, length };
    if (type === "IEND") return;
    i += 12 + length; // length, type, data, CRC
  }
}

/** One RIFF chunk of a WebP file: its four-character code and where its data lies. */
export interface RiffChunk {
  /** The chunk code, such as "VP8X" or "EXIF". */
  fourcc: string;
  /** Offset of the chunk data. */
  start: number;
  /** Data length in bytes. */
  length: number;
}

/** The top-level chunks of a RIFF file (VP8, VP8L, VP8X, EXIF, ...). */
export function* riffChunks(bytes: Uint8Array): Generator<RiffChunk> {
  let i = 12;
  while (i + 8 <= bytes.length) {
    const fourcc = String.fromCharCode(bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]);
    const length = (bytes[i + 4] | bytes[i + 5] << 8 | bytes[i + 6] << 16 | bytes[i + 7] << 24) >>>
      0;
    if (i + 8 + length > bytes.length) return;
    yield { fourcc, start: i + 8, length };
    i += 8 + length + (length & 1); // chunks are padded to an even size
  }
}
