import assert from "node:assert/strict";
import { ascii, CMYK_JPEG, concat } from "../image/test_fixtures.ts";
import { embeddedXmp } from "./embedded.ts";
import { extendedXmp, mergeExtendedXmp } from "./extended.ts";
import { readRegions } from "./regions.ts";

const GUID = "2B59F1B2C83E4AE08A6B52A7D1E7C2F0";
const OTHER = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const MWG = "http://www.metadataworkinggroup.com/schemas/regions/";
const AREA = "http://ns.adobe.com/xmp/sType/Area#";
const PHOTO = { orientation: 1 as const, width: 16, height: 8 };

/** A region list naming `name`, with the namespaces declared on the Description unless told. */
function description(name: string, declare = true): string {
  const ns = declare ? ` xmlns:mwg-rs="${MWG}" xmlns:stArea="${AREA}"` : "";
  return `<rdf:Description rdf:about=""${ns}>
  <mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag>
   <rdf:li mwg-rs:Name="${name}" mwg-rs:Type="Face"><mwg-rs:Area stArea:x="0.5" stArea:y="0.5"
    stArea:w="0.2" stArea:h="0.1" stArea:unit="normalized"/></rdf:li>
  </rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
 </rdf:Description>`;
}

/** A main packet naming `guid`, in attribute form, with PersonInImage and `more`. */
function mainPacket(guid: string, more = ""): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}">
 <rdf:Description rdf:about="" xmlns:xmpNote="http://ns.adobe.com/xmp/note/"
  xmpNote:HasExtendedXMP="${guid}"
  xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
  <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Ada</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>
 </rdf:Description>${more}
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`;
}

/** An extended packet (no packet wrapper, as the specification has it). */
function extendedPacket(body: string, rdfAttributes = ""): string {
  return `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}"${rdfAttributes}>
 ${body}
</rdf:RDF></x:xmpmeta>`;
}

function app1(payload: Uint8Array): Uint8Array {
  const n = payload.length + 2;
  return concat([0xff, 0xe1, n >> 8, n & 0xff], payload);
}

function be32(v: number): number[] {
  return [v >>> 24, v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff];
}

/** The extension segments of `packet` under `guid`, cut into `parts` chunks, in file order. */
function extensionSegments(packet: string, guid: string, parts: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(packet);
  const size = Math.ceil(bytes.length / parts);
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) {
    out.push(app1(concat(
      ascii(`http://ns.adobe.com/xmp/extension/\0${guid}`),
      be32(bytes.length),
      be32(offset),
      bytes.subarray(offset, offset + size),
    )));
  }
  return out;
}

/** A real JPEG with the main packet and then `segments`, right after SOI. */
function jpeg(main: string, segments: Uint8Array[]): Uint8Array {
  const xmp = app1(concat(ascii("http://ns.adobe.com/xap/1.0/\0"), new TextEncoder().encode(main)));
  return concat(CMYK_JPEG.subarray(0, 2), xmp, ...segments, CMYK_JPEG.subarray(2));
}

function names(xmp: string | undefined): string[] {
  return readRegions(xmp!, PHOTO).regions.map((r) => r.name ?? "");
}

Deno.test("extended XMP: chunks out of order are put together; another GUID's are ignored", () => {
  const ext = extendedPacket(description("Extended"));
  const [a, b, c] = extensionSegments(ext, GUID, 3);
  // A complete extended packet of another GUID (a stale one an editor left) comes first.
  const decoy = extensionSegments(extendedPacket(description("Stale")), OTHER, 2);
  const photo = jpeg(mainPacket(GUID), [...decoy, c, a, b]);
  assert.equal(extendedXmp(photo, GUID), ext);
  const xmp = embeddedXmp(photo);
  assert.deepEqual(names(xmp), ["Extended"]);
  assert.deepEqual(readRegions(xmp!, PHOTO).persons, ["Ada"]); // the main packet's stay
  assert.ok(!xmp!.includes("HasExtendedXMP"), xmp);

  // Without the extension segments, the main packet alone.
  assert.deepEqual(names(embeddedXmp(jpeg(mainPacket(GUID), decoy))), []);
});

Deno.test("extended XMP: a gap, or chunks that disagree on the length, leave it unread", () => {
  const ext = extendedPacket(description("Extended"));
  const [a, b, c] = extensionSegments(ext, GUID, 3);
  assert.equal(extendedXmp(jpeg(mainPacket(GUID), [a, c]), GUID), undefined);
  assert.equal(extendedXmp(jpeg(mainPacket(GUID), [b, c]), GUID), undefined);
  // Enough bytes in all, yet the middle is missing.
  assert.equal(extendedXmp(jpeg(mainPacket(GUID), [a, a, c]), GUID), undefined);
  const gap = embeddedXmp(jpeg(mainPacket(GUID), [a, c]));
  assert.deepEqual(names(gap), []);
  assert.ok(!gap!.includes("HasExtendedXMP")); // it names nothing the packet holds

  // The same chunks, with a last one that claims a longer packet.
  const longer = extensionSegments(ext + " ", GUID, 3)[2];
  assert.equal(extendedXmp(jpeg(mainPacket(GUID), [a, b, longer]), GUID), undefined);
  // A repeated chunk is harmless.
  assert.equal(extendedXmp(jpeg(mainPacket(GUID), [a, b, b, c]), GUID), ext);
});

Deno.test("extended XMP replaces the main packet's property of the same name", () => {
  const main = mainPacket(GUID, `\n ${description("Main")}`);
  const merged = mergeExtendedXmp(main, extendedPacket(description("Extended")));
  assert.deepEqual(names(merged), ["Extended"]);
  assert.equal(merged.match(/<mwg-rs:Regions /g)?.length, 1);
  assert.deepEqual(readRegions(merged, PHOTO).persons, ["Ada"]);
});

Deno.test("extended XMP keeps the namespaces it declared on its ancestors", () => {
  // The extended packet binds mwg-rs and stArea on rdf:RDF; the main packet binds mwg-rs there to
  // another namespace, so the copied description must carry its own declarations.
  const main = mainPacket(GUID).replace(
    `xmlns:rdf="${RDF}"`,
    `xmlns:rdf="${RDF}" xmlns:mwg-rs="http://example.com/not-regions/"`,
  );
  const ext = extendedPacket(
    description("Extended", false),
    ` xmlns:mwg-rs="${MWG}" xmlns:stArea="${AREA}"`,
  );
  const merged = mergeExtendedXmp(main, ext);
  assert.deepEqual(names(merged), ["Extended"]);
  assert.ok(!merged.includes(`xmlns:x="adobe:ns:meta/" xmlns:rdf`)); // nothing bound alike twice
});

Deno.test("HasExtendedXMP goes from the main packet, in either form, and nothing else does", () => {
  const attribute = mainPacket(GUID);
  const property = `\n  <xmpNote:HasExtendedXMP>${GUID}</xmpNote:HasExtendedXMP>`;
  const element = attribute.replace(`\n  xmpNote:HasExtendedXMP="${GUID}"`, "")
    .replace(`2008-02-29/">`, `2008-02-29/">${property}`);
  // A description that held nothing else goes with it.
  const lone = `\n <rdf:Description rdf:about="" xmlns:xmpNote="http://ns.adobe.com/xmp/note/"` +
    ` xmpNote:HasExtendedXMP="${GUID}"/>`;
  const alone = attribute.replace(`\n  xmpNote:HasExtendedXMP="${GUID}"`, "")
    .replace(`xmlns:rdf="${RDF}">`, `xmlns:rdf="${RDF}">${lone}`);
  const cases = [
    [attribute, attribute.replace(`\n  xmpNote:HasExtendedXMP="${GUID}"`, "")],
    [element, element.replace(property, "")],
    [alone, alone.replace(lone, "")],
  ];
  for (const [main, expected] of cases) {
    assert.notEqual(main, expected);
    assert.equal(mergeExtendedXmp(main, undefined), expected);
  }
  // A packet that does not parse is returned as it was: the readers report it.
  const broken = `<x:xmpmeta xmpNote:HasExtendedXMP="${GUID}"`;
  assert.equal(mergeExtendedXmp(broken, undefined), broken);
});

Deno.test("a damaged extended XMP never throws: the packet is read as far as it goes", () => {
  const ext = extendedPacket(description("Extended"));
  const photo = jpeg(mainPacket(GUID), extensionSegments(ext, GUID, 3));
  let random = 7;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 300; i++) {
    const damaged = photo.slice(0, i % 3 === 0 ? Math.floor(next() * photo.length) : photo.length);
    for (let k = 0; k < 4; k++) damaged[Math.floor(next() * damaged.length)] = next() * 256;
    const xmp = embeddedXmp(damaged);
    assert.ok(xmp === undefined || typeof xmp === "string");
  }
});
