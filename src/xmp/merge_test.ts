import assert from "node:assert/strict";
import { join } from "node:path";
import { EMPTY_XMP, mergeRegions } from "./merge.ts";
import { readRegions } from "./regions.ts";
import { XmpParseError } from "./rdf.ts";
import { exiftool, haveExiftool } from "./test_exiftool.ts";

/**
 * A sidecar as another tool leaves it: keywords, a rating, a label, a region a person drew
 * (attribute form, as digiKam writes it), a region facefit wrote before, and the names.
 */
const USER_SIDECAR = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:ff="https://facefit.dev/ns/xmp/1.0/"
   xmp:Rating="4"
   xmp:Label="Blue">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>holiday</rdf:li>
     <rdf:li>beach &amp; sea</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:AppliedToDimensions stDim:w="400" stDim:h="300" stDim:unit="pixel"/>
    <mwg-rs:RegionList>
     <rdf:Bag>
      <rdf:li>
       <rdf:Description mwg-rs:Name="Grandma" mwg-rs:Type="Face">
        <mwg-rs:Area stArea:x="0.8" stArea:y="0.5" stArea:w="0.1" stArea:h="0.2" stArea:unit="normalized"/>
       </rdf:Description>
      </rdf:li>
      <rdf:li rdf:parseType="Resource">
       <mwg-rs:Name>Old guess</mwg-rs:Name>
       <mwg-rs:Type>Face</mwg-rs:Type>
       <mwg-rs:Area stArea:x="0.2" stArea:y="0.2" stArea:w="0.1" stArea:h="0.1" stArea:unit="normalized"/>
       <mwg-rs:Extensions rdf:parseType="Resource">
        <ff:Model>older-model</ff:Model>
       </mwg-rs:Extensions>
      </rdf:li>
     </rdf:Bag>
    </mwg-rs:RegionList>
   </mwg-rs:Regions>
   <Iptc4xmpExt:PersonInImage>
    <rdf:Bag>
     <rdf:li>Grandma</rdf:li>
     <rdf:li>Old guess</rdf:li>
     <rdf:li>Uncle Bob</rdf:li>
    </rdf:Bag>
   </Iptc4xmpExt:PersonInImage>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

const PHOTO = { orientation: 1 as const, width: 400, height: 300 };

function slice(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  assert.ok(start >= 0, `"${from}" not found`);
  return text.slice(start, text.indexOf(to, start) + to.length);
}

Deno.test("merge replaces facefit's regions, keeps a person's, and every other tag byte for byte", () => {
  const merged = mergeRegions(USER_SIDECAR, {
    photo: PHOTO,
    model: "new-model",
    faces: [
      { name: "Ada", box: { x: 40, y: 150, width: 40, height: 60 } },
      // Grandma's region covers this face: the person's region wins, no second region.
      { name: "Someone", box: { x: 300, y: 120, width: 40, height: 60 } },
    ],
  });
  // Everything before the regions, and the hand-drawn region, are the same bytes.
  const head = USER_SIDECAR.slice(0, USER_SIDECAR.indexOf("   <mwg-rs:Regions"));
  assert.ok(merged.startsWith(head));
  const drawn = slice(USER_SIDECAR, "<rdf:li>\n       <rdf:Description", "</rdf:li>");
  assert.ok(merged.includes(drawn));
  assert.ok(merged.endsWith('</x:xmpmeta>\n<?xpacket end="w"?>\n'));
  assert.doesNotMatch(merged, /Old guess|older-model|Someone/);

  const info = readRegions(merged, PHOTO);
  assert.deepEqual(info.regions.map((r) => [r.name, r.byFacefit]), [["Grandma", false], [
    "Ada",
    true,
  ]]);
  // The hand-drawn names stay; the name only facefit's old region gave goes.
  assert.deepEqual(info.persons, ["Grandma", "Uncle Bob", "Ada"]);
});

Deno.test("merging twice gives the same text, and no face leaves no empty region list", () => {
  const update = {
    photo: PHOTO,
    model: "m",
    faces: [{ name: "Ada", box: { x: 40, y: 150, width: 40, height: 60 } }],
  };
  const once = mergeRegions(undefined, update);
  assert.equal(mergeRegions(once, update), once);
  const none = mergeRegions(once, { ...update, faces: [] });
  assert.doesNotMatch(none, /Regions|PersonInImage/);
  assert.deepEqual(readRegions(none, PHOTO).regions, []);
});

Deno.test("a sidecar that is not well-formed XML is refused, not replaced", () => {
  assert.throws(
    () => mergeRegions("<x:xmpmeta><rdf:RDF>", { photo: PHOTO, model: "m", faces: [] }),
    XmpParseError,
  );
  assert.throws(() => readRegions("<a/>", PHOTO), /holds no rdf:RDF/);
});

Deno.test({
  name: "exiftool reads the merged sidecar: other tags unchanged, regions as written",
  ignore: !haveExiftool,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "facefit-xmp-" });
    const before = join(dir, "before.xmp"), after = join(dir, "after.xmp");
    await Deno.writeTextFile(before, USER_SIDECAR);
    await Deno.writeTextFile(
      after,
      mergeRegions(USER_SIDECAR, {
        photo: PHOTO,
        model: "new-model",
        faces: [{ name: "Ada", box: { x: 40, y: 150, width: 40, height: 60 } }],
      }),
    );
    const [old, now] = await exiftool(["-XMP:all", before, after]);
    const others = (t: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(t).filter(([k]) => !/SourceFile|Region|PersonInImage/.test(k)),
      );
    assert.deepEqual(others(now), others(old));
    assert.deepEqual(now.Subject, ["holiday", "beach & sea"]);
    assert.equal(now.Rating, 4);

    const [regions] = await exiftool(["-XMP-mwg-rs:RegionInfo", after]);
    const info = regions.RegionInfo as {
      AppliedToDimensions: { W: number; H: number };
      RegionList: { Name: string; Area: { X: number; Y: number; W: number; H: number } }[];
    };
    assert.deepEqual(info.AppliedToDimensions, { W: 400, H: 300, Unit: "pixel" });
    assert.deepEqual(info.RegionList.map((r) => r.Name), ["Grandma", "Ada"]);
    // Centre and size of the box, normalised: x 40..80 of 400, y 150..210 of 300.
    assert.deepEqual(info.RegionList[1].Area, {
      X: 0.15,
      Y: 0.6,
      W: 0.1,
      H: 0.2,
      Unit: "normalized",
    });
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "a new sidecar is what exiftool itself would read back",
  ignore: !haveExiftool,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "facefit-xmp-" });
    const path = join(dir, "new.xmp");
    await Deno.writeTextFile(
      path,
      mergeRegions(EMPTY_XMP, {
        photo: PHOTO,
        model: "m",
        faces: [{ name: "Zoë", box: { x: 0, y: 0, width: 100, height: 150 }, distance: 0.25 }],
      }),
    );
    const [tags] = await exiftool(["-XMP-mwg-rs:all", "-XMP-iptcExt:all", path]);
    assert.deepEqual(tags.PersonInImage, ["Zoë"]);
    const region = (tags.RegionInfo as { RegionList: Record<string, unknown>[] }).RegionList[0];
    assert.deepEqual(region.Area, { X: 0.125, Y: 0.25, W: 0.25, H: 0.5, Unit: "normalized" });
    assert.deepEqual(region.Extensions, {
      "XMP-facefit:Distance": 0.25,
      "XMP-facefit:Model": "m",
    });
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("a packet of self-closing descriptions (as Windows Photo Viewer embeds) takes regions and names", () => {
  const packet = `<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="uuid:faf5" xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"/><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:CreatorTool>Viewer</xmp:CreatorTool></rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end='w'?>`;
  const update = {
    photo: PHOTO,
    model: "m",
    faces: [{ name: "Ada", box: { x: 40, y: 150, width: 40, height: 60 } }],
  };
  const merged = mergeRegions(packet, update);
  const info = readRegions(merged, PHOTO);
  assert.deepEqual([info.regions.map((r) => r.name), info.persons], [["Ada"], ["Ada"]]);
  assert.ok(merged.includes("<xmp:CreatorTool>Viewer</xmp:CreatorTool>"));
  assert.equal(mergeRegions(merged, update), merged);
});
