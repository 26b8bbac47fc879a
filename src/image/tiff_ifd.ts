/**
 * Read the first image file directory (IFD0) of a TIFF structure: the layout shared by TIFF
 * files and EXIF blocks. Reading never throws; a bad offset yields no entry or no value.
 *
 * @module
 */

/** One IFD entry: the field type, the value count and the offset of the value bytes. */
export interface IfdEntry {
  /** The field type: 1 BYTE, 3 SHORT, 4 LONG, ... */
  type: number;
  /** How many values the field holds. */
  count: number;
  /** Where the values lie: inside the entry when they fit in 4 bytes. */
  valueOffset: number;
}

/** Sizes in bytes of the TIFF field types (BYTE, ASCII, SHORT, LONG, RATIONAL, ...). */
const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
};

/** A TIFF byte-order-aware view of the bytes with the entries of IFD0. */
export class TiffStructure {
  /** True for "II" (Intel) byte order. */
  readonly littleEndian: boolean;
  /** IFD0's entries by tag. */
  readonly entries: ReadonlyMap<number, IfdEntry>;
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array, littleEndian: boolean, entries: Map<number, IfdEntry>) {
    this.#bytes = bytes;
    this.littleEndian = littleEndian;
    this.entries = entries;
  }

  /** Parse the header and IFD0, or return undefined when the bytes are no classic TIFF structure. */
  static parse(bytes: Uint8Array): TiffStructure | undefined {
    if (bytes.length < 8) return undefined;
    let littleEndian: boolean;
    if (bytes[0] === 0x49 && bytes[1] === 0x49) littleEndian = true;
    else if (bytes[0] === 0x4d && bytes[1] === 0x4d) littleEndian = false;
    else return undefined;
    const tiff = new TiffStructure(bytes, littleEndian, new Map());
    if (tiff.u16(2) !== 42) return undefined;
    const ifd = tiff.u32(4);
    if (ifd === undefined || ifd + 2 > bytes.length) return undefined;
    const count = tiff.u16(ifd)!;
    const entries = new Map<number, IfdEntry>();
    for (let k = 0; k < count; k++) {
      const at = ifd + 2 + k * 12;
      if (at + 12 > bytes.length) break;
      const tag = tiff.u16(at)!;
      const type = tiff.u16(at + 2)!;
      const valueCount = tiff.u32(at + 4)!;
      const size = (TYPE_SIZES[type] ?? 0) * valueCount;
      const valueOffset = size <= 4 ? at + 8 : tiff.u32(at + 8)!;
      if (!entries.has(tag)) entries.set(tag, { type, count: valueCount, valueOffset });
    }
    return new TiffStructure(bytes, littleEndian, entries);
  }

  /** An unsigned 16-bit integer at `offset`, or undefined past the end. */
  u16(offset: number): number | undefined {
    const b = this.#bytes;
    if (offset < 0 || offset + 2 > b.length) return undefined;
    return this.littleEndian ? b[offset] | b[offset + 1] << 8 : b[offset] << 8 | b[offset + 1];
  }

  /** An unsigned 32-bit integer at `offset`, or undefined past the end. */
  u32(offset: number): number | undefined {
    const b = this.#bytes;
    if (offset < 0 || offset + 4 > b.length) return undefined;
    const v = this.littleEndian
      ? b[offset] | b[offset + 1] << 8 | b[offset + 2] << 16 | b[offset + 3] << 24
      : b[offset] << 24 | b[offset + 1] << 16 | b[offset + 2] << 8 | b[offset + 3];
    return v >>> 0;
  }

  /**
   * The integer values of a BYTE, SHORT or LONG field, or undefined when the tag is absent, of
   * another type, or its values lie past the end.
   */
  values(tag: number): number[] | undefined {
    const entry = this.entries.get(tag);
    if (entry === undefined) return undefined;
    const size = entry.type === 1 ? 1 : entry.type === 3 ? 2 : entry.type === 4 ? 4 : 0;
    if (size === 0 || entry.valueOffset + size * entry.count > this.#bytes.length) {
      return undefined;
    }
    const out = new Array<number>(entry.count);
    for (let k = 0; k < entry.count; k++) {
      const at = entry.valueOffset + k * size;
      out[k] = size === 1 ? this.#bytes[at] : size === 2 ? this.u16(at)! : this.u32(at)!;
    }
    return out;
  }

  /**
   * The value bytes of a field of one-byte values (BYTE, ASCII, SBYTE or UNDEFINED), such as
   * tag 700 (XMLPacket); undefined when the tag is absent, of another type, or its values lie
   * past the end.
   */
  bytes(tag: number): Uint8Array | undefined {
    const entry = this.entries.get(tag);
    if (entry === undefined || ![1, 2, 6, 7].includes(entry.type)) return undefined;
    if (entry.valueOffset + entry.count > this.#bytes.length) return undefined;
    return this.#bytes.subarray(entry.valueOffset, entry.valueOffset + entry.count);
  }

  /** The first value of a BYTE, SHORT or LONG field, or `fallback`. */
  value(tag: number, fallback: number): number;
  /** The first value of a BYTE, SHORT or LONG field, or undefined. */
  value(tag: number): number | undefined;
  value(tag: number, fallback?: number): number | undefined {
    return this.values(tag)?.[0] ?? fallback;
  }
}
