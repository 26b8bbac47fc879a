/**
 * End-to-end tests of what facefit shows: the HTML report of a small real training run, rendered
 * in headless Chromium, and `predict --annotate`. The photos are a small subset of the shared FC
 * Barcelona set, copied into a temporary folder (never into the repository).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, copySubset as subset, haveData, PEOPLE } from "./support/cli.ts";
import { decodeImage } from "../src/image/mod.ts";
import { KNOWN_COLOR, UNKNOWN_COLOR } from "../src/report/annotate.ts";
import { findChromium, inspectPage } from "./chromium.ts";

const chromium = findChromium();

/** What the page check reads from the rendered report. */
interface Rendered {
  sections: string[];
  curves: { title: string; lines: number; width: number }[];
  cells: number;
  counts: number;
  thumbnails: { loaded: boolean; height: number }[];
  thresholdChart: boolean;
}

const CHECK = `(() => {
  const charts = [...document.querySelectorAll("#curves svg.chart")];
  return {
    sections: [...document.querySelectorAll("section")].map((s) => s.id),
    curves: charts.map((svg) => ({
      title: svg.getAttribute("aria-label"),
      lines: svg.querySelectorAll("polyline.series").length,
      width: svg.getBoundingClientRect().width,
    })),
    cells: document.querySelectorAll("#confusion svg.heatmap rect.cell").length,
    counts: [...document.querySelectorAll("#confusion rect.cell")]
      .reduce((n, r) => n + Number(r.getAttribute("data-count")), 0),
    thumbnails: [...document.querySelectorAll("#photos img")]
      .map((img) => ({ loaded: img.complete && img.naturalWidth > 0, height: img.naturalHeight })),
    thresholdChart: document.querySelector("#threshold svg.chart") !== null,
  };
})()`;

Deno.test({
  name: "report.html of a small real run renders in Chromium; predict --annotate boxes the face",
  ignore: !haveData,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "facefit-report-e2e-" });
    const train = join(dir, "train"), test = join(dir, "test"), model = join(dir, "model");
    const cache = Deno.env.get("FACEFIT_CACHE") ?? join(dir, "cache");
    await subset("Train", train, 0, 8);
    await subset("Test", test, 0, 3);
    // A photo without a face (larger than the detector's "small image is one face" size), so
    // that the no-face gallery has a thumbnail.
    const [w, h] = [480, 360];
    const blank = new Uint8Array(w * h * 3).map((_, i) => 120 + ((i / 3) % w) / 8);
    const { encodeJpeg } = await import("../src/report/encode.ts");
    await Deno.writeFile(
      join(test, "Pique", "blank.jpg"),
      await encodeJpeg({ width: w, height: h, data: blank }),
    );

    const run = await cli(
      "train",
      "--data",
      train,
      "--val",
      test,
      "--model",
      model,
      "--cache",
      cache,
      "--seed",
      "1",
      "--backend",
      "wasm",
      "--epochs",
      "60",
      "--verbose",
    );
    assert.equal(run.code, 0, run.stderr);
    const reportPath = join(model, "report.html");
    assert.match(run.stderr, new RegExp(`report: ${reportPath.replaceAll("/", "\\/")}`));
    assert.match(
      run.stderr,
      /time load networks: .*\ntime [a-z]+: /s,
      "--verbose prints timings per stage",
    );
    const html = await Deno.readTextFile(reportPath);
    assert.doesNotMatch(html, /<script|https?:\/\//i, "self-contained: no script, no network");

    await t.step({
      name: "Chromium: no console errors; curves, matrix and thumbnails present",
      ignore: chromium === undefined,
      async fn() {
        // The harness must be able to see an error, or a clean page would prove nothing.
        const broken = await inspectPage<number>(
          chromium!,
          "data:text/html,<p>x</p><script>console.error('boom')</script>",
          "1",
        );
        assert.deepEqual(broken.errors, ["console.error: boom"]);

        const page = await inspectPage<Rendered>(chromium!, `file://${reportPath}`, CHECK, {
          width: 1200,
          height: 2000,
          screenshot: true,
        });
        assert.deepEqual(page.errors, [], "console errors");
        const r = page.value;
        for (
          const id of ["dataset", "curves", "confusion", "per-person", "photos", "threshold", "run"]
        ) {
          assert.ok(r.sections.includes(id), `section ${id} in ${r.sections}`);
        }
        const titles = r.curves.map((c) => c.title);
        assert.ok(titles.includes("Loss") && titles.includes("Accuracy"), titles.join());
        for (const c of r.curves.filter((c) => c.title !== "Learning rate")) {
          assert.equal(c.lines, 2, `${c.title}: a train and a val line`);
          assert.ok(c.width > 300, `${c.title} is laid out (${c.width}px)`);
        }
        assert.ok(r.cells >= PEOPLE.length ** 2, `matrix cells: ${r.cells}`);
        assert.equal(
          r.counts,
          PEOPLE.length * 3,
          "every validation photo with a face is in the matrix",
        );
        assert.ok(r.thumbnails.length >= 1, "the face-less photo has a thumbnail");
        assert.ok(
          r.thumbnails.every((th) => th.loaded && th.height === 96),
          JSON.stringify(r.thumbnails),
        );
        assert.ok(r.thresholdChart);
        const png = page.screenshot!;
        assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG screenshot");
        const keep = Deno.env.get("FACEFIT_REPORT_SCREENSHOT");
        if (keep) await Deno.writeFile(keep, png);
      },
    });

    await t.step("predict --annotate draws a box where the face is", async () => {
      const photo = join(
        test,
        "Messi",
        [...Deno.readDirSync(join(test, "Messi"))].map((e) => e.name).sort()[0],
      );
      const out = join(dir, "annotated");
      const p = await cli(
        "predict",
        photo,
        "--model",
        model,
        "--cache",
        cache,
        "--annotate",
        out,
        "--json",
      );
      assert.equal(p.code, 0, p.stderr);
      const [result] = JSON.parse(p.stdout);
      assert.ok(result.faces.length >= 1, p.stdout);
      assert.equal(
        result.annotated,
        join(out, photo.split("/").pop()!.replace(/\.[^.]+$/, ".jpg")),
      );
      const original = await decodeImage(await Deno.readFile(photo));
      const annotated = await decodeImage(await Deno.readFile(result.annotated));
      assert.deepEqual([annotated.width, annotated.height], [original.width, original.height]);
      const thickness = Math.max(2, Math.round(Math.min(original.width, original.height) / 250));
      for (const face of result.faces) {
        const color = face.name === "unknown" ? UNKNOWN_COLOR : KNOWN_COLOR;
        const { x, y, width, height } = face.box;
        // Sample the middle of the left and right edges of the drawn outline.
        let hits = 0, samples = 0;
        for (let k = 0.3; k <= 0.7; k += 0.05) {
          for (
            const px of [
              Math.round(x) - Math.ceil(thickness / 2),
              Math.round(x + width) + Math.floor(thickness / 2),
            ]
          ) {
            const py = Math.round(y + k * height);
            if (px < 0 || px >= annotated.width) continue;
            const o = (py * annotated.width + px) * 3;
            samples++;
            if (color.every((c, i) => Math.abs(annotated.data[o + i] - c) <= 60)) hits++;
          }
        }
        assert.ok(
          samples > 0 && hits / samples >= 0.8,
          `${face.name}: ${hits}/${samples} edge pixels in the box colour`,
        );
      }
    });

    await t.step("evaluate writes its report to --report PATH", async () => {
      const path = join(dir, "eval", "test.html");
      const e = await cli(
        "evaluate",
        "--data",
        test,
        "--model",
        model,
        "--cache",
        cache,
        "--report",
        path,
        "--json",
      );
      assert.equal(e.code, 0, e.stderr);
      assert.equal(JSON.parse(e.stdout).html, path);
      const page = await Deno.readTextFile(path);
      assert.match(page, /<h1>Evaluation report<\/h1>/);
      assert.match(page, /No face found \(1\)/, "the blank photo");
    });

    await Deno.remove(dir, { recursive: true });
  },
});
