/**
 * Find the XMP embedded in a photo: JPEG APP1 (`http://ns.adobe.com/xap/1.0/`) with its Extended
 * XMP (APP1 `http://ns.adobe.com/xmp/extension/`, merged in: see extended.ts), PNG `iTXt`
 * (keyword `XML:com.adobe.xmp`, compressed or not), the WebP `XMP ` chunk, and TIFF tag 700
 * (XMLPacket) in the first IFD, which is also where DNG keeps it.
 *
 * @module
 */
import { unzlibSync } from "npm:fflate@0.8.3";
import { jpegSegments, pngChunks, riffChunks } from "../image/containers.ts";
import { sniffFormat } from "../image/sniff.ts";
import { TiffStructure } from "../image/tiff_ifd.ts";
import { extendedGuid, extendedXmp, mergeExtendedXmp } from "./extended.ts";

const JPEG_XMP = "http://ns.adobe.com/xap/1.0/\0";
const PNG_XMP = "XML:com.adobe.xmp";

/** TIFF tag XMLPacket: the XMP packet, as BYTE or UNDEFINED values. */
const TIFF_XMP = 700;

/**
 * The embedded XMP packet's text, or undefined when the photo has none (or an unreadable one).
 * A JPEG's extended XMP is merged into it, and `xmpNote:HasExtendedXMP` removed (see
 * extended.ts), so that the one packet holds everything the photo carries.
 *
 * @example A JPEG's XMP segment
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddedXmp } from "./embedded.ts";
 *
 * const packet = "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>";
 * const payload = new TextEncoder().encode("http://ns.adobe.com/xap/1.0/\0" + packet);
 * const n = payload.length + 2;
 * const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, n >> 8, n & 0xff, ...payload, 0xff, 0xd9]);
 * assert.equal(embeddedXmp(jpeg), packet);
 * ```
 */
export function embeddedXmp(bytes: Uint8Array): string | undefined {
  let packet: string | undefined;
  try {
    switch (sniffFormat(bytes)) {
      case "jpeg":
        packet = jpegXmp(bytes);
        break;
      case "png":
        packet = pngXmp(bytes);
        break;
      case "webp":
        packet = webpXmp(bytes);
        break;
      case "tiff":
        packet = tiffXmp(bytes);
        break;
    }
  } catch {
    return undefined; // a damaged block is as good as none
  }
  // Some writers leave a NUL (C string end) or other bytes after the packet's end.
  const end = packet === undefined
    ? -1
    : /<\?xpacket end=["'][rw]["']\s*\?>/.exec(packet)?.index ?? -1;
  if (packet !== undefined && end >= 0) packet = packet.slice(0, packet.indexOf(">", end) + 1);
  packet = packet?.replace(/\0+$/, "");
  if (packet === undefined || !packet.includes("HasExtendedXMP")) return packet;
  const guid = extendedGuid(packet);
  const extended = guid !== undefined && sniffFormat(bytes) === "jpeg"
    ? extendedXmp(bytes, guid)
    : undefined;
  return mergeExtendedXmp(packet, extended);
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function jpegXmp(bytes: Uint8Array): string | undefined {
  for (const { marker, start, length } of jpegSegments(bytes)) {
    if (marker !== 0xe1 || length < JPEG_XMP.length) continue;
    if (latin1(bytes.subarray(start, start + JPEG_XMP.length)) !== JPEG_XMP) continue;
    return utf8.decode(bytes.subarray(start + JPEG_XMP.length, start + length));
  }
  return undefined;
}

function pngXmp(bytes: Uint8Array): string | undefined {
  for (const { type, start, length } of pngChunks(bytes)) {
    if (type !== "iTXt") continue;
    const data = bytes.subarray(start, start + length);
    const keywordEnd = data.indexOf(0);
    if (keywordEnd < 0 || latin1(data.subarray(0, keywordEnd)) !== PNG_XMP) continue;
    const compressed = data[keywordEnd + 1] === 1;
    // Skip the language tag and the translated keyword, each ended by a zero byte.
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    const translatedEnd = data.indexOf(0, languageEnd + 1);
    if (languageEnd < 0 || translatedEnd < 0) return undefined;
    const body = data.subarray(translatedEnd + 1);
    return utf8.decode(compressed ? unzlibSync(body) : body);
  }
  return undefined;
}

function webpXmp(bytes: Uint8Array): string | undefined {
  for (const { fourcc, start, length } of riffChunks(bytes)) {
    if (fourcc === "XMP ") return utf8.decode(bytes.subarray(start, start + length));
  }
  return undefined;
}

function tiffXmp(bytes: Uint8Array): string | undefined {
  const packet = TiffStructure.parse(bytes)?.bytes(TIFF_XMP);
  return packet && utf8.decode(packet);
}
