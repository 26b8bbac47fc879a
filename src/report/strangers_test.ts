import assert from "node:assert/strict";
import { renderReport, type ReportData } from "./html.ts";

function base(): ReportData {
  return {
    title: "Evaluation report",
    subject: "models/x on photos",
    createdAt: "2026-01-01T00:00:00.000Z",
    summary: [],
    warnings: [],
    photoLists: [],
    galleries: [],
    run: { config: {}, timings: {} },
  };
}

Deno.test("renderReport plots known accuracy and stranger rejection along the threshold", () => {
  const curve = [0.2, 0.3, 0.4].map((threshold, i) => ({
    threshold,
    knownAccuracy: 0.5 + i * 0.2,
    rejection: 1 - i * 0.3,
  }));
  const html = renderReport({
    ...base(),
    strangers: {
      knownAccuracy: 0.964,
      rejection: 0.9,
      photos: { known: 194, unknown: 28 },
      thresholds: [0.3312, 0.3724, 0.35],
      curve,
    },
  });
  assert.match(html, /<section id="strangers">/);
  assert.match(html, /data-series="known people named right"/);
  assert.match(html, /data-series="strangers rejected"/);
  assert.match(html, /per-person thresholds \(0.3312 to 0.3724\)/);
  assert.match(html, /<b>96.4%<\/b> of the 194 photos of known people/);
  assert.match(html, /<b>90.0%<\/b> of the 28 photos of other people rejected/);
  assert.doesNotMatch(renderReport(base()), /<section id="strangers">/);
});
