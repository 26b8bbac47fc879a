import assert from "node:assert/strict";
import { escapeXml, heatMap, lineChart, niceTicks } from "./svg_charts.ts";

Deno.test("lineChart: one polyline per series with its points, markers and a legend", () => {
  const svg = lineChart([
    { name: "loss", color: "#00f", points: [1, 2, 3, 4].map((x) => ({ x, y: 1 / x })) },
    {
      name: "val_loss",
      color: "#f00",
      points: [{ x: 1, y: 1.2 }, { x: 2, y: NaN }, { x: 3, y: 0.5 }],
    },
  ], {
    title: "Loss",
    markers: [{ x: 2.5, label: "fine-tune" }, { x: 99, label: "off the chart" }],
  });
  const lines = [...svg.matchAll(/<polyline[^>]*data-series="([^"]+)"[^>]*points="([^"]+)"/g)];
  assert.deepEqual(lines.map((l) => l[1]), ["loss", "val_loss"]);
  assert.equal(lines[0][2].split(" ").length, 4);
  assert.equal(lines[1][2].split(" ").length, 2, "NaN points are skipped");
  assert.match(svg, /data-marker="fine-tune"/);
  assert.doesNotMatch(svg, /off the chart/);
  // Lower loss is drawn higher up: y grows downwards in SVG.
  const ys = lines[0][2].split(" ").map((p) => Number(p.split(",")[1]));
  assert.ok(ys[0] < ys[3], ys.join());
});

Deno.test("lineChart copes with no data, one point and a log axis", () => {
  assert.match(lineChart([], { title: "Empty" }), /<svg[\s\S]*<\/svg>$/);
  assert.match(
    lineChart([{ name: "a", color: "#000", points: [{ x: 1, y: 0.5 }] }], { title: "One" }),
    /<circle/,
  );
  const log = lineChart([{
    name: "lr",
    color: "#000",
    points: [{ x: 1, y: 1e-2 }, { x: 2, y: 1e-4 }],
  }], {
    title: "LR",
    logY: true,
  });
  assert.match(log, />1e-3</);
});

Deno.test("heatMap: a cell per pair, counts written, names escaped", () => {
  const svg = heatMap(["A<b>", "B"], ["A<b>", "B", "(no face)"], [[3, 1, 0], [0, 2, 2]]);
  assert.equal((svg.match(/<rect class="cell/g) ?? []).length, 6);
  assert.equal((svg.match(/class="cell diagonal"/g) ?? []).length, 2);
  assert.deepEqual([...svg.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1])), [
    3,
    1,
    0,
    0,
    2,
    2,
  ]);
  assert.doesNotMatch(svg, /A<b>/);
  assert.match(svg, /A&#60;b&#62;/);
});

Deno.test("niceTicks and escapeXml", () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(1, 30, 5), [5, 10, 15, 20, 25, 30]);
  assert.deepEqual(niceTicks(2, 2), [2]);
  assert.equal(
    escapeXml(`<a href="x">'&'</a>`),
    "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;",
  );
});

Deno.test("a log axis within one decade still gets round ticks", () => {
  const svg = lineChart([{
    name: "lr",
    color: "#000",
    points: [{ x: 1, y: 0.01 }, { x: 2, y: 0.005 }],
  }], {
    title: "LR",
    logY: true,
  });
  const ticks = [...svg.matchAll(/class="tick" x="50"[^>]*>([^<]+)</g)].map((m) => m[1]);
  assert.ok(ticks.length >= 2, ticks.join());
});
