/**
 * `facefit tag --xmp` end to end, read back with exiftool: a real FC Barcelona face stored in each
 * of the 8 EXIF orientations, a sidecar another tool wrote, a second (resumed) run, and training
 * from the regions written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cropRgb, decodeImage } from "../src/image/mod.ts";
import { applyOrientation } from "../src/image/orient.ts";
import type { Orientation } from "../src/image/exif.ts";
import { exifOrientationBlock, jpegWithExif } from "../src/image/test_fixtures.ts";
import type { RgbImage } from "../src/image/types.ts";
import { encodeJpeg } from "../src/report/encode.ts";
import { exiftool, haveExiftool } from "../src/xmp/test_exiftool.ts";
import { cli, copySubset, haveData, MAIN, PEOPLE, SHARED } from "./support/cli.ts";

/**
 * Where stored pixel (x, y) of a `w` x `h` stored image shows in the upright photo, from the EXIF
 * definitions ("the 0th row is the visual right-hand side, the 0th column the visual top", ...),
 * written out here independently of src/. `x`, `y` may be pixel edges (0..w), hence `w - x`.
 */
const STORED_TO_UPRIGHT: Record<
  Orientation,
  (x: number, y: number, w: number, h: number) => number[]
> = {
  1: (x, y) => [x, y],
  2: (x, y, w) => [w - x, y],
  3: (x, y, w, h) => [w - x, h - y],
  4: (x, y, _w, h) => [x, h - y],
  5: (x, y) => [y, x],
  6: (x, y, _w, h) => [h - y, x],
  7: (x, y, w, h) => [h - y, w - x],
  8: (x, y, w) => [y, w - x],
};

/** The stored pixels that show as `upright` under `orientation`. */
function storedPixels(upright: RgbImage, o: Orientation): RgbImage {
  const swap = o >= 5;
  const w = swap ? upright.height : upright.width, h = swap ? upright.width : upright.height;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Pixel centres map to pixel centres: the pixel at edge coordinates (x, y)..(x+1, y+1).
      const [u, v] = STORED_TO_UPRIGHT[o](x + 0.5, y + 0.5, w, h).map(Math.floor);
      data.set(
        upright.data.subarray((v * upright.width + u) * 3, (v * upright.width + u) * 3 + 3),
        (y * w + x) * 3,
      );
    }
  }
  return { width: w, height: h, data };
}

/** A sidecar as exiftool writes one, with a region a person drew and one facefit wrote before. */
const OTHER_TOOL = `<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='Image::ExifTool 12.57'>
<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>

 <rdf:Description rdf:about=''
  xmlns:dc='http://purl.org/dc/elements/1.1/'>
  <dc:subject>
   <rdf:Bag>
    <rdf:li>football</rdf:li>
    <rdf:li>Camp Nou</rdf:li>
   </rdf:Bag>
  </dc:subject>
 </rdf:Description>

 <rdf:Description rdf:about=''
  xmlns:Iptc4xmpExt='http://iptc.org/std/Iptc4xmpExt/2008-02-29/'>
  <Iptc4xmpExt:PersonInImage>
   <rdf:Bag>
    <rdf:li>Coach</rdf:li>
    <rdf:li>Wrong Guess</rdf:li>
   </rdf:Bag>
  </Iptc4xmpExt:PersonInImage>
 </rdf:Description>

 <rdf:Description rdf:about=''
  xmlns:mwg-rs='http://www.metadataworkinggroup.com/schemas/regions/'
  xmlns:stArea='http://ns.adobe.com/xmp/sType/Area#'
  xmlns:stDim='http://ns.adobe.com/xap/1.0/sType/Dimensions#'
  xmlns:ff='https://facefit.dev/ns/xmp/1.0/'>
  <mwg-rs:Regions rdf:parseType='Resource'>
   <mwg-rs:AppliedToDimensions rdf:parseType='Resource'>
    <stDim:h>474</stDim:h>
    <stDim:unit>pixel</stDim:unit>
    <stDim:w>400</stDim:w>
   </mwg-rs:AppliedToDimensions>
   <mwg-rs:RegionList>
    <rdf:Bag>
     <rdf:li rdf:parseType='Resource'>
      <mwg-rs:Area rdf:parseType='Resource'>
       <stArea:h>0.05</stArea:h>
       <stArea:unit>normalized</stArea:unit>
       <stArea:w>0.05</stArea:w>
       <stArea:x>0.1</stArea:x>
       <stArea:y>0.1</stArea:y>
      </mwg-rs:Area>
      <mwg-rs:Name>Coach</mwg-rs:Name>
      <mwg-rs:Type>Face</mwg-rs:Type>
     </rdf:li>
     <rdf:li rdf:parseType='Resource'>
      <mwg-rs:Area rdf:parseType='Resource'>
       <stArea:h>0.1</stArea:h>
       <stArea:unit>normalized</stArea:unit>
       <stArea:w>0.1</stArea:w>
       <stArea:x>0.8</stArea:x>
       <stArea:y>0.8</stArea:y>
      </mwg-rs:Area>
      <mwg-rs:Extensions rdf:parseType='Resource'>
       <ff:Model>an-older-model</ff:Model>
      </mwg-rs:Extensions>
      <mwg-rs:Name>Wrong Guess</mwg-rs:Name>
      <mwg-rs:Type>Face</mwg-rs:Type>
     </rdf:li>
    </rdf:Bag>
   </mwg-rs:RegionList>
  </mwg-rs:Regions>
 </rdf:Description>

 <rdf:Description rdf:about=''
  xmlns:xmp='http://ns.adobe.com/xap/1.0/'>
  <xmp:Rating>4</xmp:Rating>
 </rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end='w'?>
`;

/** One small model for the tests of this file: 5 Train photos of each of 3 people. */
let shared: Promise<{ dir: string; model: string; cache: string; train: string }> | undefined;
function trainedModel() {
  shared ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "facefit-tag-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    const train = join(dir, "train"), model = join(dir, "model"), cache = join(dir, "cache");
    await copySubset("Train", train, 0, 5); // Messi-12.jpg is the 5th Messi photo
    const t = await cli(
      "train",
      "--data",
      train,
      "--model",
      model,
      "--seed",
      "1",
      "--cache",
      cache,
      "--backend",
      "wasm",
    );
    assert.equal(t.code, 0, t.stderr);
    return { dir, model, cache, train };
  })();
  return shared;
}

interface Region {
  Name: string;
  Area: { X: number; Y: number; W: number; H: number };
  Extensions?: Record<string, unknown>;
}

Deno.test({
  name:
    "tag --xmp: regions exiftool reads on the detected face in all 8 orientations; other tags kept",
  ignore: !haveData || !haveExiftool,
  async fn() {
    const { dir, model, cache, train } = await trainedModel();
    const lib = join(dir, "library");
    const common = ["--cache", cache, "--backend", "wasm"];

    // One real face, stored in each orientation (pixels turned back, the tag set).
    // Cropped so that the face sits off the centre both ways: a mirror mix-up moves the box.
    const photo = await decodeImage(await Deno.readFile(join(SHARED, "Train/Messi/Messi-12.jpg")));
    const { x: _x, y: _y, ...upright } = cropRgb(photo, { x: 120, y: 0, width: 474, height: 400 });
    await Deno.mkdir(lib);
    for (let o = 1 as Orientation; o <= 8; o++) {
      const stored = storedPixels(upright, o);
      assert.deepEqual(
        applyOrientation(stored, o).data,
        upright.data,
        `orientation ${o} round trip`,
      );
      const jpeg = jpegWithExif(await encodeJpeg(stored, 95), exifOrientationBlock(o, o % 2 === 0));
      await Deno.writeFile(join(lib, `o${o}.jpg`), jpeg);
    }
    await Deno.writeTextFile(join(lib, "o6.jpg.xmp"), OTHER_TOOL);

    const lines = join(dir, "lines.jsonl");
    const args = ["tag", lib, "--model", model, "--xmp", "--jsonl", lines, ...common];
    const r = await cli(...args);
    assert.equal(r.code, 0, r.stderr);
    const found = new Map(
      (await Deno.readTextFile(lines)).trim().split("\n").map((l) => JSON.parse(l)).map((
        l,
      ) => [l.file, l]),
    );
    const sidecars = Array.from({ length: 8 }, (_, i) => join(lib, `o${i + 1}.jpg.xmp`));
    const tags = await exiftool([
      "-XMP-mwg-rs:RegionInfo",
      "-XMP-iptcExt:PersonInImage",
      "-XMP-dc:Subject",
      "-XMP-xmp:Rating",
      ...sidecars,
    ]);

    let first: { x: number; y: number; width: number; height: number } | undefined;
    for (let o = 1 as Orientation; o <= 8; o++) {
      const line = found.get(`o${o}.jpg`);
      assert.equal(line.orientation, o);
      assert.deepEqual([line.width, line.height], [upright.width, upright.height]);
      const messi = line.faces.find((f: { name: string }) => f.name === "Messi");
      assert.ok(messi, `orientation ${o}: Messi named (${JSON.stringify(line.faces)})`);

      // The sidecar's region, in the stored frame, mapped upright with the mapping above.
      const info = tags[o - 1].RegionInfo as {
        AppliedToDimensions: { W: number; H: number };
        RegionList: Region[];
      };
      const [w, h] = o >= 5 ? [upright.height, upright.width] : [upright.width, upright.height];
      assert.deepEqual([info.AppliedToDimensions.W, info.AppliedToDimensions.H], [w, h]);
      const region = info.RegionList.find((x) => x.Name === "Messi" && x.Extensions)!;
      const a = region.Area;
      const corners = [
        STORED_TO_UPRIGHT[o]((a.X - a.W / 2) * w, (a.Y - a.H / 2) * h, w, h),
        STORED_TO_UPRIGHT[o]((a.X + a.W / 2) * w, (a.Y + a.H / 2) * h, w, h),
      ];
      const box = {
        x: Math.min(corners[0][0], corners[1][0]),
        y: Math.min(corners[0][1], corners[1][1]),
        width: Math.abs(corners[1][0] - corners[0][0]),
        height: Math.abs(corners[1][1] - corners[0][1]),
      };
      for (const k of ["x", "y", "width", "height"] as const) {
        assert.ok(
          Math.abs(box[k] - messi.box[k]) < 0.5,
          `orientation ${o} ${k}: ${box[k]} vs ${messi.box[k]}`,
        );
      }
      // And the detector found the same face, whichever way the pixels were stored.
      first ??= messi.box;
      for (const k of ["x", "y", "width", "height"] as const) {
        assert.ok(Math.abs(messi.box[k] - first![k]) < 0.1 * first!.width, `orientation ${o} ${k}`);
      }
      assert.ok((tags[o - 1].PersonInImage as string[]).includes("Messi"));
    }

    // The other tool's sidecar: keywords, rating, the drawn region and its name kept; facefit's
    // old region and the name only it gave gone.
    const o6 = tags[5];
    assert.deepEqual(o6.Subject, ["football", "Camp Nou"]);
    assert.equal(o6.Rating, 4);
    const regions = (o6.RegionInfo as { RegionList: Region[] }).RegionList;
    assert.deepEqual(regions.map((x) => x.Name).sort(), ["Coach", "Messi"]);
    assert.deepEqual(regions.find((x) => x.Name === "Coach")!.Area, {
      H: 0.05,
      Unit: "normalized",
      W: 0.05,
      X: 0.1,
      Y: 0.1,
    });
    assert.deepEqual(o6.PersonInImage, ["Coach", "Messi"]);
    // Byte for byte, the sidecar is the old one but for the three edits.
    const text = await Deno.readTextFile(sidecars[5]);
    const wrongName = OTHER_TOOL.indexOf("    <rdf:li>Wrong Guess</rdf:li>\n");
    const oldRegion = OTHER_TOOL.lastIndexOf(
      "     <rdf:li rdf:parseType='Resource'>",
      OTHER_TOOL.indexOf("<stArea:h>0.1<"),
    );
    const listEnd = OTHER_TOOL.indexOf("    </rdf:Bag>\n   </mwg-rs:RegionList>");
    assert.ok(wrongName > 0 && oldRegion > wrongName && listEnd > oldRegion);
    assert.ok(text.startsWith(OTHER_TOOL.slice(0, wrongName)), "bytes before the names");
    const between = OTHER_TOOL.slice(
      wrongName + "    <rdf:li>Wrong Guess</rdf:li>\n".length,
      oldRegion,
    );
    assert.ok(text.includes(between), "bytes between the names and facefit's old region");
    assert.ok(text.endsWith(OTHER_TOOL.slice(listEnd)), "bytes after the region list");

    // A second run does nothing and changes no byte.
    const before = await Promise.all(sidecars.map((s) => Deno.readTextFile(s)));
    const again = await cli(...args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /0 tagged .* 8 unchanged, 0 failed; 0 sidecar\(s\) written/);
    assert.deepEqual(await Promise.all(sidecars.map((s) => Deno.readTextFile(s))), before);
    assert.equal((await Deno.readTextFile(lines)).trim().split("\n").length, 8);

    // The regions written are training labels: folders with meaningless names, people from XMP.
    const renamed = join(dir, "renamed");
    for (const [i, person] of PEOPLE.entries()) {
      await Deno.mkdir(join(renamed, `folder${i}`), { recursive: true });
      for (const e of Deno.readDirSync(join(train, person))) {
        await Deno.copyFile(join(train, person, e.name), join(renamed, `folder${i}`, e.name));
      }
    }
    const tagged = await cli("tag", renamed, "--model", model, "--xmp", ...common);
    assert.equal(tagged.code, 0, tagged.stderr);
    const fromXmp = join(dir, "model-xmp");
    const x = await cli(
      "train",
      "--labels",
      "xmp",
      "--data",
      renamed,
      "--model",
      fromXmp,
      "--seed",
      "1",
      ...common,
    );
    assert.equal(x.code, 0, x.stderr);
    assert.match(x.stderr, /labels from XMP: \d+ named face region\(s\) of 3 people/);
    const info = JSON.parse(await Deno.readTextFile(join(fromXmp, "facefit.json")));
    assert.deepEqual(info.labels, PEOPLE);
  },
});

Deno.test({
  name: "tag: Ctrl-C leaves every sidecar whole, and the next run does only the rest",
  ignore: !haveData,
  async fn() {
    const { dir, model, cache } = await trainedModel();
    const lib = join(dir, "interrupted");
    await copySubset("Test", lib, 0, 4);
    const args = [
      "tag",
      lib,
      "--model",
      model,
      "--xmp",
      "--jsonl",
      "-",
      "--cache",
      cache,
      "--backend",
      "wasm",
    ];
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    let stdout = "";
    const decoder = new TextDecoder();
    const stderr = new Response(child.stderr).text();
    let sent = false;
    for await (const chunk of child.stdout) {
      stdout += decoder.decode(chunk, { stream: true });
      if (!sent && stdout.includes("\n")) {
        child.kill("SIGINT"); // after the first photo's line
        sent = true;
      }
    }
    const { code } = await child.status;
    clearTimeout(timer);
    assert.equal(code, 130, await stderr);
    assert.match(await stderr, /interrupted; every sidecar is as it was or complete/);
    const done = stdout.trim().split("\n").length;
    assert.ok(done >= 1 && done < 12, `${done} photos done before the interrupt`);

    const files: string[] = [];
    for (const person of PEOPLE) {
      for (const e of Deno.readDirSync(join(lib, person))) files.push(join(lib, person, e.name));
    }
    assert.deepEqual(files.filter((f) => f.endsWith(".tmp")), [], "no temporary file left");
    const sidecars = files.filter((f) => f.endsWith(".xmp"));
    if (haveExiftool && sidecars.length > 0) {
      const read = await exiftool(["-XMP-mwg-rs:RegionInfo", ...sidecars]);
      assert.ok(read.every((t) => t.RegionInfo), "every sidecar reads");
    }
    const again = await cli(...args.filter((a) => a !== "--jsonl" && a !== "-"));
    assert.equal(again.code, 0, again.stderr);
    const m = /(\d+) tagged .*, (\d+) unchanged/.exec(again.stderr)!;
    assert.equal(Number(m[2]), done, again.stderr);
    assert.equal(Number(m[1]) + Number(m[2]), 12);
  },
});
