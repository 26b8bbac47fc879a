/**
 * Perceptual hashes: 64-bit fingerprints of a photo's coarse brightness pattern that survive
 * re-encoding, resizing and small colour changes, so copies of one photo can be found when their
 * bytes differ. Two are computed from an area-averaged grey thumbnail:
 *
 * - dHash: whether each of 8x8 cells is brighter than its right neighbour (9x8 thumbnail).
 * - pHash: the signs of the 8x8 lowest frequencies of a 32x32 thumbnail's DCT against their median.
 *
 * Hamming distances between hashes: 0-6 is the same picture, above ~20 a different one.
 *
 * @module
 */
import type { RgbImage } from "../image/mod.ts";

/** A grey image: one byte per pixel, row-major. */
export interface GrayImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** One byte per pixel, row by row from the top-left pixel. */
  data: Uint8Array;
}

/** What the audit remembers of a photo's pixels. */
export interface ImageFingerprint {
  /** Upright size in pixels (EXIF orientation applied). */
  width: number;
  /** Upright height in pixels. */
  height: number;
  /** Difference hash, 16 hex digits. */
  dHash: string;
  /** DCT hash, 16 hex digits. */
  pHash: string;
  /** A small grey copy (longest side {@linkcode THUMBNAIL_SIDE}), to check a suspected crop pixel by pixel. */
  thumbnail: EncodedGray;
}

/** A grey image with its pixels as base64, for JSON. */
export interface EncodedGray {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** The pixels, one byte each, row-major, base64. */
  base64: string;
}

/** Longest side of the stored thumbnail. */
export const THUMBNAIL_SIDE = 64;

/** Side of the thumbnail the pHash is computed from. */
const PHASH_SIZE = 32;
/** Side of the low-frequency block the pHash keeps. */
const PHASH_LOW = 8;

/** Longest side of the grey image all hashes and the thumbnail are taken from. */
const WORKING_SIDE = 256;

/**
 * Shrink an image (RGB, or grey) to a grey thumbnail by averaging every source pixel into the
 * cell it falls in (an area filter: no aliasing, so a resized copy gives the same thumbnail).
 */
export function grayThumbnail(
  image: RgbImage | GrayImage,
  width: number,
  height: number,
): GrayImage {
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(
      `Thumbnail size must be whole numbers of at least 1, got "${width}x${height}"`,
    );
  }
  const { data } = image;
  const rgb = data.length === image.width * image.height * 3;
  const column = new Int32Array(image.width);
  const columnCount = new Float64Array(width);
  for (let x = 0; x < image.width; x++) {
    column[x] = Math.floor((x * width) / image.width);
    columnCount[column[x]]++;
  }
  const rowCount = new Float64Array(height);
  const sums = new Float64Array(width * height);
  for (let y = 0; y < image.height; y++) {
    const cellRow = Math.floor((y * height) / image.height);
    rowCount[cellRow]++;
    const row = cellRow * width;
    if (rgb) {
      // Integer luma weights (x256) keep the sums exact and the loop cheap.
      for (let x = 0, i = y * image.width * 3; x < image.width; x++, i += 3) {
        sums[row + column[x]] += 77 * data[i] + 150 * data[i + 1] + 29 * data[i + 2];
      }
    } else {
      for (let x = 0, i = y * image.width; x < image.width; x++, i++) {
        sums[row + column[x]] += 256 * data[i];
      }
    }
  }
  const out = new Uint8Array(width * height);
  for (let cy = 0; cy < height; cy++) {
    for (let cx = 0; cx < width; cx++) {
      const c = cy * width + cx;
      const n = rowCount[cy] * columnCount[cx];
      // A source smaller than the thumbnail leaves some cells empty: copy a neighbour.
      out[c] = n > 0
        ? Math.min(255, Math.round(sums[c] / (256 * n)))
        : cx > 0
        ? out[c - 1]
        : cy > 0
        ? out[c - width]
        : 0;
    }
  }
  return { width, height, data: out };
}

/** The difference hash of an image: 64 bits, row by row, set where a cell is brighter than its right neighbour. */
export function dHash(image: RgbImage | GrayImage): string {
  const t = grayThumbnail(image, 9, 8);
  const bits: boolean[] = [];
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) bits.push(t.data[y * 9 + x] > t.data[y * 9 + x + 1]);
  }
  return bitsToHex(bits);
}

/** The DCT hash of an image: 64 bits, set where a low-frequency coefficient exceeds their median. */
export function pHash(image: RgbImage | GrayImage): string {
  const t = grayThumbnail(image, PHASH_SIZE, PHASH_SIZE);
  const coefficients = lowFrequencies(t.data);
  // The DC term is the mean brightness: leave it out of the median so exposure does not matter.
  const ac = coefficients.slice(1);
  const median = [...ac].sort((a, b) => a - b)[Math.floor(ac.length / 2)];
  return bitsToHex(coefficients.map((c, i) => i > 0 && c > median));
}

/** A size with the same aspect ratio and a longest side of at most `side`. */
function fit(width: number, height: number, side: number): [number, number] {
  const scale = side / Math.max(width, height, side);
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Both hashes, the size and a thumbnail of a decoded image. */
export function fingerprintImage(image: RgbImage): ImageFingerprint {
  // One pass over the full image; the hashes and the thumbnail come from its small grey copy.
  const working = grayThumbnail(image, ...fit(image.width, image.height, WORKING_SIDE));
  return {
    width: image.width,
    height: image.height,
    dHash: dHash(working),
    pHash: pHash(working),
    thumbnail: encodeGray(
      grayThumbnail(working, ...fit(image.width, image.height, THUMBNAIL_SIDE)),
    ),
  };
}

/** A grey image as JSON-friendly base64. */
export function encodeGray(image: GrayImage): EncodedGray {
  let binary = "";
  for (const b of image.data) binary += String.fromCharCode(b);
  return { width: image.width, height: image.height, base64: btoa(binary) };
}

/** The grey image back from {@linkcode encodeGray}'s output. */
export function decodeGray(encoded: EncodedGray): GrayImage {
  const binary = atob(encoded.base64);
  const data = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (data.length !== encoded.width * encoded.height) {
    throw new RangeError(
      `A ${encoded.width}x${encoded.height} grey image needs ${
        encoded.width * encoded.height
      } bytes, got ${data.length}; ` +
        "the cache entry is damaged: delete it",
    );
  }
  return { width: encoded.width, height: encoded.height, data };
}

/** Number of differing bits between two hashes of equal length (hex strings). */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) {
    throw new RangeError(`Hashes "${a}" and "${b}" differ in length; compare hashes of one kind`);
  }
  let d = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}

/** The PHASH_LOW x PHASH_LOW lowest frequencies of a square thumbnail's 2-D DCT-II, row-major. */
function lowFrequencies(pixels: Uint8Array): number[] {
  const n = PHASH_SIZE;
  const cos = new Float64Array(PHASH_LOW * n);
  for (let k = 0; k < PHASH_LOW; k++) {
    for (let x = 0; x < n; x++) cos[k * n + x] = Math.cos(((2 * x + 1) * k * Math.PI) / (2 * n));
  }
  // Rows first: each row's PHASH_LOW lowest frequencies, then the columns of that.
  const rows = new Float64Array(n * PHASH_LOW);
  for (let y = 0; y < n; y++) {
    for (let k = 0; k < PHASH_LOW; k++) {
      let s = 0;
      for (let x = 0; x < n; x++) s += pixels[y * n + x] * cos[k * n + x];
      rows[y * PHASH_LOW + k] = s;
    }
  }
  const out: number[] = [];
  for (let v = 0; v < PHASH_LOW; v++) {
    for (let u = 0; u < PHASH_LOW; u++) {
      let s = 0;
      for (let y = 0; y < n; y++) s += rows[y * PHASH_LOW + u] * cos[v * n + y];
      out.push(s);
    }
  }
  return out;
}

function bitsToHex(bits: boolean[]): string {
  let hex = "";
  for (let i = 0; i < bits.length; i += 4) {
    hex +=
      ((bits[i] ? 8 : 0) | (bits[i + 1] ? 4 : 0) | (bits[i + 2] ? 2 : 0) | (bits[i + 3] ? 1 : 0))
        .toString(16);
  }
  return hex;
}
