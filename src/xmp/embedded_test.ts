import assert from "node:assert/strict";
import { join } from "node:path";
import { jpegSegments } from "../image/containers.ts";
import { CMYK_JPEG, concat, tiffBytes } from "../image/test_fixtures.ts";
import { embeddedXmp } from "./embedded.ts";
import { libraryRegions } from "./labels.ts";
import { mergeRegions } from "./merge.ts";
import { readPhotoRegions } from "./photo.ts";
import { readRegions } from "./regions.ts";
import { exiftool, haveExiftool } from "./test_exiftool.ts";

/** A group photo's worth of named faces: too many for the 64 KB of a JPEG's main XMP. */
const FACES = Array.from({ length: 200 }, (_, i) => ({
  name: `Person ${i}`,
  x: 0.05 + (i % 20) * 0.045,
  y: 0.05 + Math.floor(i / 20) * 0.09,
}));

/** exiftool's argument for those regions, on a photo of `width` x `height`. */
function regionInfo(width: number, height: number, faces = FACES): string {
  const list = faces.map((f) =>
    `{Name=${f.name},Type=Face,Area={X=${f.x},Y=${f.y},W=0.04,H=0.08,Unit=normalized}}`
  );
  return `-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=${width},H=${height},Unit=pixel},` +
    `RegionList=[${list.join(",")}]}`;
}

/** The boxes the regions stand for: top-left corner, from the centres given to exiftool. */
function expectedBoxes(faces = FACES) {
  const r = (v: number) => Math.round(v * 1e9) / 1e9;
  return faces.map((f) => ({
    name: f.name,
    box: { x: r(f.x - 0.02), y: r(f.y - 0.04), width: 0.04, height: 0.08 },
  }));
}

/** Run exiftool to write `args` into a copy of `source` at `target`. */
async function exiftoolWrite(source: string, target: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("exiftool", {
    args: ["-q", "-o", target, ...args, source],
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

const EXTENSION = "http://ns.adobe.com/xmp/extension/\0";
const latin1 = new TextDecoder("latin1");

/** The text of a JPEG's APP1 segments that start with `signature`. */
function app1Texts(jpeg: Uint8Array, signature: string): string[] {
  return [...jpegSegments(jpeg)]
    .filter((s) => s.marker === 0xe1)
    .map((s) => latin1.decode(jpeg.subarray(s.start, s.start + s.length)))
    .filter((t) => t.startsWith(signature));
}

/** A JPEG without its extended XMP segments: the main packet alone. */
function withoutExtendedXmp(jpeg: Uint8Array): Uint8Array {
  const segments = [...jpegSegments(jpeg)];
  const last = segments.at(-1)!;
  const kept = segments.filter((s) =>
    !(s.marker === 0xe1 &&
      latin1.decode(jpeg.subarray(s.start, s.start + EXTENSION.length)) === EXTENSION)
  );
  return concat(
    jpeg.subarray(0, 2),
    ...kept.map((s) => jpeg.subarray(s.start - 4, s.start + s.length)),
    jpeg.subarray(last.start + last.length), // the scan
  );
}

Deno.test({
  name: "face regions that exiftool moved into a JPEG's extended XMP are read",
  ignore: !haveExiftool,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "facefit-xmp-extended-" });
    await Deno.writeFile(join(dir, "plain.jpg"), CMYK_JPEG);
    const photo = join(dir, "group.jpg");
    await exiftoolWrite(join(dir, "plain.jpg"), photo, [
      "-XMP-iptcExt:PersonInImage=Person 0",
      regionInfo(16, 8),
    ]);
    // The fixture is what it should be: the regions only in extended XMP, over several segments.
    const bytes = await Deno.readFile(photo);
    const [main] = app1Texts(bytes, "http://ns.adobe.com/xap/1.0/\0");
    assert.ok(main.includes("HasExtendedXMP") && !main.includes("RegionList"));
    assert.ok(app1Texts(bytes, EXTENSION).length >= 2);

    const read = await readPhotoRegions(photo);
    assert.equal(read.source, "embedded");
    assert.deepEqual(read.regions.map((r) => ({ name: r.name, box: r.box })), expectedBoxes());
    assert.deepEqual(read.persons, ["Person 0"]);

    // The merged packet, as a sidecar: exiftool reads from it what it reads from the photo, less
    // the pointer to extended XMP that a sidecar cannot have.
    const packet = embeddedXmp(bytes)!;
    assert.ok(!packet.includes("HasExtendedXMP"));
    await Deno.writeTextFile(join(dir, "merged.xmp"), packet);
    const [fromPhoto] = await exiftool(["-XMP:all", photo]);
    const [fromSidecar] = await exiftool(["-XMP:all", join(dir, "merged.xmp")]);
    assert.ok(fromPhoto.HasExtendedXMP);
    const { SourceFile: _a, HasExtendedXMP: _b, ...photoTags } = fromPhoto;
    const { SourceFile: _c, ...sidecarTags } = fromSidecar;
    assert.deepEqual(sidecarTags, photoTags);

    // tag --xmp starts a new sidecar from that packet: the regions in it are a person's, so a
    // face on one of them gets no second region, and a face elsewhere gets one.
    const geometry = { orientation: 1 as const, width: 16, height: 8 };
    const tagged = mergeRegions(packet, {
      photo: geometry,
      model: "test",
      faces: [
        { name: "Someone", box: { x: 0.48, y: 0.08, width: 0.64, height: 0.64 } }, // Person 0's
        { name: "New", box: { x: 8, y: 7.3, width: 1, height: 0.6 } },
      ],
    });
    const regions = readRegions(tagged, geometry).regions;
    assert.deepEqual(regions.filter((r) => r.byFacefit).map((r) => r.name), ["New"]);
    assert.equal(regions.length, FACES.length + 1);
    await Deno.writeTextFile(join(dir, "group.jpg.xmp"), tagged);
    const [sidecar] = await exiftool(["-XMP:all", join(dir, "group.jpg.xmp")]);
    const list = (sidecar.RegionInfo as { RegionList: { Name: string }[] }).RegionList;
    assert.equal(list.length, FACES.length + 1);
    assert.equal(sidecar.HasExtendedXMP, undefined);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "train --labels xmp's reader (libraryRegions) finds regions in extended XMP and TIFF",
  ignore: !haveExiftool,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "facefit-xmp-labels-" });
    const library = join(dir, "library");
    await Deno.mkdir(join(library, "2024"), { recursive: true });
    await Deno.writeFile(join(dir, "plain.jpg"), CMYK_JPEG);
    const tiff = tiffBytes({
      littleEndian: false,
      width: 4,
      height: 2,
      bitsPerSample: [8],
      photometric: 1,
      chunks: [new Uint8Array(8)],
    });
    await Deno.writeFile(join(dir, "plain.tif"), tiff);
    const group = join(library, "2024", "group.jpg");
    const scan = join(library, "2024", "scan.tif");
    await exiftoolWrite(join(dir, "plain.jpg"), group, [regionInfo(16, 8)]);
    await exiftoolWrite(join(dir, "plain.tif"), scan, [regionInfo(4, 2, FACES.slice(7, 8))]);
    // A copy of the group photo that lost its extension segments: a main packet alone.
    const lost = withoutExtendedXmp(await Deno.readFile(group));
    assert.equal(app1Texts(lost, EXTENSION).length, 0);
    await Deno.writeFile(join(library, "2024", "lost.jpg"), lost);

    const found = await libraryRegions(library);
    assert.deepEqual(found.failed, []);
    const byFile = new Map(found.photos.map((p) => [p.path, p.regions]));
    assert.deepEqual([...byFile.keys()].sort(), [group, scan]);
    assert.deepEqual(byFile.get(group), expectedBoxes());
    assert.deepEqual(byFile.get(scan), expectedBoxes(FACES.slice(7, 8)));
    assert.equal(found.photosWithout, 1); // lost.jpg
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("TIFF tag 700 (XMLPacket): BYTE or UNDEFINED, either byte order", () => {
  const packet = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/tiff"/>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`;
  const xmp = new TextEncoder().encode(packet + "\0"); // some writers end it like a C string
  const tiff = (littleEndian: boolean, type: 1 | 2 | 7, bytes = xmp) =>
    tiffBytes({
      littleEndian,
      width: 2,
      height: 1,
      bitsPerSample: [8],
      photometric: 1,
      chunks: [new Uint8Array(2)],
      byteTags: [{ tag: 700, type, bytes }],
    });
  assert.equal(embeddedXmp(tiff(true, 1)), packet);
  assert.equal(embeddedXmp(tiff(false, 7)), packet);
  assert.equal(embeddedXmp(tiff(false, 1)), packet);
  // Another tag's bytes are not XMP; a TIFF without tag 700 has none.
  const other = tiffBytes({
    littleEndian: true,
    width: 2,
    height: 1,
    bitsPerSample: [8],
    photometric: 1,
    chunks: [new Uint8Array(2)],
    byteTags: [{ tag: 701, type: 1, bytes: xmp }],
  });
  assert.equal(embeddedXmp(other), undefined);
  // A count that runs past the end of the file: no packet rather than a piece of one.
  const cut = tiff(true, 7);
  assert.equal(embeddedXmp(cut.subarray(0, cut.length - 10)), undefined);
});
