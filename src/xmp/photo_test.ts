import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ascii,
  CMYK_JPEG,
  concat,
  exifOrientationBlock,
  jpegWithExif,
  pngBytes,
  zlib,
} from "../image/test_fixtures.ts";
import { readImageSize } from "../image/size.ts";
import { embeddedXmp } from "./embedded.ts";
import { readPhotoRegions } from "./photo.ts";

/** A packet with one region, centred at (x, y) of the stored image, 0.2 x 0.1. */
function packet(name: string, x: number, y: number): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
 xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">
<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Seq>
<rdf:li mwg-rs:Name="${name}" mwg-rs:Type="Face"><mwg-rs:Area stArea:x="${x}" stArea:y="${y}"
 stArea:w="0.2" stArea:h="0.1" stArea:unit="normalized"/></rdf:li>
</rdf:Seq></mwg-rs:RegionList></mwg-rs:Regions></rdf:Description></rdf:RDF></x:xmpmeta>
${" ".repeat(200)}<?xpacket end="w"?>`;
}

/** A JPEG segment: marker, length, payload. */
function segment(marker: number, payload: Uint8Array): Uint8Array {
  const n = payload.length + 2;
  return concat([0xff, marker, n >> 8, n & 0xff], payload);
}

Deno.test("a photo's regions: sidecar photo.ext.xmp, else photo.xmp, else embedded; upright", async () => {
  const dir = await Deno.makeTempDir({ prefix: "facefit-xmp-photo-" });
  // A real JPEG, stored on its side (orientation 8), with XMP in APP1 after the EXIF block.
  const withExif = jpegWithExif(CMYK_JPEG, exifOrientationBlock(8, true));
  const app1 = segment(
    0xe1,
    concat(
      ascii("http://ns.adobe.com/xap/1.0/\0"),
      new TextEncoder().encode(packet("Embedded", 0.1, 0.05)),
    ),
  );
  const jpeg = concat(withExif.subarray(0, 2), app1, withExif.subarray(2));
  const photo = join(dir, "p.jpg");
  await Deno.writeFile(photo, jpeg);
  const stored = readImageSize(jpeg)!;

  const embedded = await readPhotoRegions(photo);
  assert.equal(embedded.source, "embedded");
  assert.deepEqual(embedded.photo, { orientation: 8, width: stored.height, height: stored.width });
  // Orientation 8: stored column x shows at upright row 1 - x, stored row y at upright column y.
  assert.deepEqual(embedded.regions, [{
    name: "Embedded",
    type: "Face",
    box: { x: 0, y: 0.8, width: 0.1, height: 0.2 },
    byFacefit: false,
  }]);

  await Deno.writeTextFile(join(dir, "p.xmp"), packet("Bare", 0.5, 0.5));
  assert.deepEqual((await readPhotoRegions(photo)).regions.map((r) => r.name), ["Bare"]);
  await Deno.writeTextFile(join(dir, "p.jpg.xmp"), packet("Full", 0.5, 0.5));
  const full = await readPhotoRegions(photo);
  assert.deepEqual([full.source, full.regions[0].name], [join(dir, "p.jpg.xmp"), "Full"]);

  await Deno.writeTextFile(join(dir, "p.jpg.xmp"), "<x:xmpmeta><oops");
  await assert.rejects(() => readPhotoRegions(photo), /p\.jpg\.xmp" is not well-formed XML/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("embedded XMP in PNG iTXt (plain and compressed) and the WebP XMP chunk", async () => {
  const xmp = packet("Ada", 0.5, 0.5);
  const chunk = (type: string, data: Uint8Array) => {
    const n = data.length;
    return concat([n >>> 24, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff], ascii(type), data, [
      0,
      0,
      0,
      0,
    ]);
  };
  const png = await pngBytes({
    width: 1,
    height: 1,
    colorType: 0,
    bitDepth: 8,
    rows: new Uint8Array(1),
  });
  for (const compressed of [false, true]) {
    const body = new TextEncoder().encode(xmp);
    const itxt = concat(
      ascii("XML:com.adobe.xmp\0"),
      [compressed ? 1 : 0, 0],
      ascii("\0\0"),
      compressed ? await zlib(body) : body,
    );
    const withXmp = concat(png.subarray(0, 33), chunk("iTXt", itxt), png.subarray(33));
    assert.equal(embeddedXmp(withXmp), xmp, compressed ? "compressed" : "plain");
  }
  const body = new TextEncoder().encode(xmp);
  const le = (v: number) => [v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >>> 24];
  const riff = (fourcc: string, data: Uint8Array) =>
    concat(ascii(fourcc), le(data.length), data, data.length & 1 ? [0] : []);
  const webpBody = concat(ascii("WEBP"), riff("VP8X", new Uint8Array(10)), riff("XMP ", body));
  assert.equal(embeddedXmp(concat(ascii("RIFF"), le(webpBody.length), webpBody)), xmp);
  assert.equal(embeddedXmp(png), undefined);
});
