/**
 * The report as one self-contained HTML page: inline CSS and SVG, images as `data:` URIs, no
 * script and no network, so it opens from a `file:` URL anywhere and can be mailed as one file.
 *
 * @module
 */
import { escapeXml as esc, heatMap, lineChart, type Marker, type Series } from "./svg_charts.ts";
import { classification, type Outcome, thresholdCurve } from "./stats.ts";

/**
 * One epoch's figures. A change of `phase` marks where a new training phase begins: a name, or a
 * number (0: the head alone, 1: fine-tuning the backbone's top, as train() records them).
 */
export type HistoryEntry = Record<string, number | string | undefined>;

/** A photo shown as a thumbnail. */
export interface Thumbnail {
  path: string;
  /** JPEG `data:` URI; absent when the photo could not be read. */
  src?: string;
  truth: string;
  predicted: string;
  /** Probability of the prediction, when there was a face. */
  probability?: number;
  /** Why there is no picture. */
  error?: string;
}

/** Everything a report page shows; sections without data are left out. */
export interface ReportData {
  /** e.g. "Training report". */
  title: string;
  /** What the report is about, e.g. the model folder. */
  subject: string;
  /** ISO time the report was made. */
  createdAt: string;
  /** Headline figures, shown as cards. */
  summary: { label: string; value: string; note?: string }[];
  warnings: string[];
  /** Photo counts per person, e.g. columns ["train", "val"]. */
  dataset?: { columns: string[]; rows: { name: string; counts: number[] }[] };
  /** Lists of photo paths worth a look, e.g. "unreadable". */
  photoLists: { title: string; items: string[] }[];
  /** Training history, one entry per epoch. */
  history?: HistoryEntry[];
  /** 0-based epoch whose weights were kept. */
  bestEpoch?: number;
  /** The labelled outcomes behind the matrix, per-person table and threshold curve. */
  outcomes?: { caption: string; labels: string[]; photos: Outcome[] };
  /** Groups of thumbnails, e.g. misclassified and no-face photos. */
  galleries: { title: string; items: Thumbnail[]; more: number }[];
  /**
   * The probability threshold stored with the model. `decidedBy`, when given, says what decides
   * `unknown` instead (e.g. per-person distance thresholds); the probability threshold is then
   * shown for information.
   */
  threshold?: { value: number; rule: string; decidedBy?: string };
  /** Open-set figures of an evaluation that also had photos of people the model does not know. */
  strangers?: StrangerFigures;
  /** Configuration, backend and timings of the run. */
  run: {
    config: Record<string, unknown>;
    backend?: { name: string; device: string };
    /** Seconds per stage. */
    timings: Record<string, number>;
  };
}

/** Known accuracy and stranger rejection, at the model's thresholds and along one for everyone. */
export interface StrangerFigures {
  /** Share of the known people's photos named right at the model's per-person thresholds. */
  knownAccuracy: number;
  /** Share of the other people's photos that name nobody at those thresholds. */
  rejection: number;
  /** Photos of known people and of others. */
  photos: { known: number; unknown: number };
  /** The model's per-person distance thresholds. */
  thresholds: number[];
  /** Both shares along one distance threshold for everyone. */
  curve: { threshold: number; knownAccuracy: number; rejection: number }[];
}

const COLORS = {
  train: "#6b8fc7",
  val: "#d9480f",
  lr: "#2b8a3e",
  accepted: "#6b8fc7",
  accuracy: "#d9480f",
};

const CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5f6b7a; --line: #dde2ea; --card: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { margin: 0 0 2px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 140px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label, .card .note { color: var(--muted); font-size: 12px; }
.warnings { background: #fff8e6; border: 1px solid #f0d48a; border-radius: 8px; padding: 8px 14px 8px 30px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
svg { font: 11px system-ui, sans-serif; }
svg .chart-title { font-size: 13px; font-weight: 600; }
svg .grid { stroke: #eceff4; }
svg .frame { fill: none; stroke: #b9c1cc; }
svg .tick, svg .axis-label, svg .legend text { fill: #4b5563; }
svg .axis-label { font-size: 12px; }
svg .count { font-size: 12px; font-weight: 600; }
table { border-collapse: collapse; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { font-weight: 600; color: var(--muted); }
td.bad { color: #c92a2a; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; }
figure { margin: 0; width: 150px; }
figure img { display: block; height: 96px; max-width: 150px; border-radius: 4px; background: #eee; }
figure .noimg { height: 96px; display: flex; align-items: center; justify-content: center; background: #eee; color: var(--muted); border-radius: 4px; font-size: 12px; padding: 6px; text-align: center; }
figcaption { font-size: 12px; line-height: 1.3; margin-top: 3px; overflow-wrap: anywhere; }
figcaption .path { color: var(--muted); }
.wrong { color: #c92a2a; font-weight: 600; }
details { margin: 6px 0; }
summary { cursor: pointer; }
ul.paths { font-size: 12px; color: var(--muted); columns: 2; }
dl.config { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.config dt { color: var(--muted); }
dl.config dd { margin: 0; font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
`;

/**
 * Render a report page.
 *
 * @example A minimal report
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderReport } from "./html.ts";
 *
 * const html = renderReport({
 *   title: "Training report",
 *   subject: "models/friends",
 *   createdAt: "2025-01-01T00:00:00Z",
 *   summary: [{ label: "people", value: "2" }],
 *   warnings: [],
 *   photoLists: [],
 *   galleries: [],
 *   history: [{ loss: 0.9, val_loss: 1 }, { loss: 0.5, val_loss: 0.6 }],
 *   run: { config: { epochs: 2 }, timings: { fit: 1.5 } },
 * });
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * assert.match(html, /data-series="val_loss"/);
 * ```
 */
export function renderReport(data: ReportData): string {
  const body = [
    header(data),
    data.warnings.length
      ? `<section id="warnings"><h2>Warnings</h2><ul class="warnings">${
        data.warnings.map((w) => `<li>${esc(w)}</li>`).join("")
      }</ul></section>`
      : "",
    datasetSection(data),
    curvesSection(data),
    outcomesSection(data),
    gallerySection(data),
    thresholdSection(data),
    strangersSection(data),
    runSection(data),
  ].filter((s) => s !== "").join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(`${data.title}: ${data.subject}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function header(data: ReportData): string {
  const cards = data.summary.map((c) =>
    `<div class="card"><div class="label">${esc(c.label)}</div><div class="value">${
      esc(c.value)
    }</div>${c.note ? `<div class="note">${esc(c.note)}</div>` : ""}</div>`
  ).join("");
  return `<header><h1>${esc(data.title)}</h1><p>${esc(data.subject)} &middot; ${
    esc(data.createdAt)
  }</p>` +
    `<div class="cards">${cards}</div></header>`;
}

function datasetSection(data: ReportData): string {
  const d = data.dataset;
  if (!d && data.photoLists.every((l) => l.items.length === 0)) return "";
  const parts = ['<section id="dataset"><h2>Dataset</h2>'];
  if (d) {
    const totals = d.columns.map((_, j) => d.rows.reduce((n, r) => n + (r.counts[j] ?? 0), 0));
    parts.push(
      `<table class="dataset"><thead><tr><th>person</th>${
        d.columns.map((c) => `<th>${esc(c)}</th>`).join("")
      }</tr></thead><tbody>`,
      ...d.rows.map((r) =>
        `<tr><td>${esc(r.name)}</td>${
          r.counts.map((n) => `<td${n === 0 ? ' class="bad"' : ""}>${n}</td>`).join("")
        }</tr>`
      ),
      `<tr><th>all</th>${totals.map((n) => `<th>${n}</th>`).join("")}</tr></tbody></table>`,
    );
  }
  for (const list of data.photoLists) {
    if (list.items.length === 0) continue;
    parts.push(
      `<details><summary>${esc(list.title)} (${list.items.length})</summary><ul class="paths">${
        list.items.map((p) => `<li>${esc(p)}</li>`).join("")
      }</ul></details>`,
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}

function num(entry: HistoryEntry, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = entry[k];
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return undefined;
}

function curvesSection(data: ReportData): string {
  const history = data.history ?? [];
  if (history.length === 0) return "";
  const points = (...keys: string[]) =>
    history.flatMap((e, i) => {
      const y = num(e, ...keys);
      return y === undefined ? [] : [{ x: i + 1, y }];
    });
  const markers: Marker[] = [];
  history.forEach((e, i) => {
    const phase = e.phase;
    if (phase !== undefined && i > 0 && phase !== history[i - 1].phase) {
      markers.push({ x: i + 0.5, label: phaseName(phase), color: "#7048e8" });
    }
  });
  if (data.bestEpoch !== undefined && data.bestEpoch >= 0) {
    markers.push({ x: data.bestEpoch + 1, label: `best ${data.bestEpoch + 1}`, color: "#2b8a3e" });
  }
  const series = (train: Series["points"], val: Series["points"]): Series[] =>
    [
      { name: "train", points: train, color: COLORS.train, dashed: true },
      { name: "val", points: val, color: COLORS.val },
    ].filter((s) => s.points.length > 0);
  const common = { xLabel: "epoch", markers, xMin: 1, xMax: Math.max(2, history.length) };
  const loss = series(points("loss"), points("val_loss"));
  const acc = series(points("acc", "accuracy"), points("val_acc", "val_accuracy"));
  const lr = points("lr");
  const charts = [
    loss.length
      ? lineChart(loss.map((s) => ({ ...s, name: s.name === "train" ? "loss" : "val_loss" })), {
        ...common,
        title: "Loss",
        yMin: 0,
      })
      : "",
    acc.length
      ? lineChart(acc.map((s) => ({ ...s, name: s.name === "train" ? "acc" : "val_acc" })), {
        ...common,
        title: "Accuracy",
        yMin: 0,
        yMax: 1,
      })
      : "",
    lr.length && lr.every((p) => p.y > 0)
      ? lineChart([{ name: "lr", points: lr, color: COLORS.lr }], {
        ...common,
        title: "Learning rate",
        logY: true,
        height: 200,
      })
      : "",
  ].filter((c) => c !== "");
  const phases = [...new Set(history.map((e) => e.phase).filter((p) => p !== undefined))]
    .map(phaseName);
  return `<section id="curves"><h2>Training curves</h2>
<p class="muted">${history.length} epoch(s); dashed: training batches, solid: validation.${
    data.bestEpoch !== undefined && data.bestEpoch >= 0
      ? ` The weights of epoch ${data.bestEpoch + 1} were kept.`
      : ""
  }${phases.length > 1 ? ` Phases: ${phases.map((p) => esc(String(p))).join(", ")}.` : ""}</p>
<div class="charts">${charts.join("\n")}</div></section>`;
}

/** A phase's name: its own when it has one, else "head", "fine-tune", "phase 2"... */
export function phaseName(phase: string | number): string {
  if (typeof phase === "string") return phase;
  return phase === 0 ? "head" : phase === 1 ? "fine-tune" : `phase ${phase}`;
}

function pct(v: number | undefined): string {
  return v === undefined ? "&ndash;" : `${(v * 100).toFixed(1)}%`;
}

function outcomesSection(data: ReportData): string {
  const o = data.outcomes;
  if (!o || o.photos.length === 0) return "";
  const c = classification(o.labels, o.photos);
  const rows = c.perClass.map((p) =>
    `<tr><td>${esc(p.name)}</td><td>${p.support}</td><td>${p.correct}</td><td>${p.predicted}</td>` +
    `<td${p.precision !== undefined && p.precision < 0.5 ? ' class="bad"' : ""}>${
      pct(p.precision)
    }</td>` +
    `<td${p.recall !== undefined && p.recall < 0.5 ? ' class="bad"' : ""}>${
      pct(p.recall)
    }</td></tr>`
  );
  return `<section id="confusion"><h2>Confusion matrix</h2>
<p class="muted">${esc(o.caption)}: ${c.correct} of ${c.total} photos named correctly (${
    pct(c.accuracy)
  }).
Rows: the true person; columns: the prediction. Blue: right, red: wrong.</p>
${heatMap(c.labels, c.columns, c.counts)}
</section>
<section id="per-person"><h2>Per person</h2>
<table class="per-person"><thead><tr><th>person</th><th>photos</th><th>right</th><th>predicted as</th><th>precision</th><th>recall</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
<p class="muted">Precision: of the photos named as this person, the share that show them. Recall: of this person's photos, the share named as them.</p>
</section>`;
}

function gallerySection(data: ReportData): string {
  const groups = data.galleries.filter((g) => g.items.length > 0);
  if (groups.length === 0) return "";
  const figure = (t: Thumbnail) =>
    `<figure class="thumb">${
      t.src
        ? `<img src="${t.src}" alt="${esc(t.path)}">`
        : `<div class="noimg">${esc(t.error ?? "no picture")}</div>`
    }<figcaption><div>true: <b>${esc(t.truth)}</b></div><div>predicted: <span class="${
      t.predicted === t.truth ? "" : "wrong"
    }">${esc(t.predicted)}</span>${
      t.probability !== undefined ? ` ${Math.round(t.probability * 100)}%` : ""
    }</div><div class="path" title="${esc(t.path)}">${
      esc(shortPath(t.path))
    }</div></figcaption></figure>`;
  return `<section id="photos"><h2>Photos to look at</h2>${
    groups.map((g) =>
      `<h3>${esc(g.title)} (${g.items.length + g.more})</h3><div class="gallery">${
        g.items.map(figure).join("\n")
      }</div>${g.more > 0 ? `<p class="muted">and ${g.more} more, not shown.</p>` : ""}`
    ).join("\n")
  }</section>`;
}

/** The last two parts of a path ("Messi/Messi-11.jpg"): the person's folder and the file. */
function shortPath(path: string): string {
  return path.split(/[\\/]/).slice(-2).join("/");
}

function thresholdSection(data: ReportData): string {
  const t = data.threshold;
  if (!t) return "";
  const o = data.outcomes;
  const curve = o ? thresholdCurve(o.labels, o.photos) : [];
  const chart = curve.length > 0
    ? lineChart([
      {
        name: "accuracy of accepted",
        color: COLORS.accuracy,
        points: curve.flatMap((
          p,
        ) => (p.accuracy === undefined ? [] : [{ x: p.threshold, y: p.accuracy }])),
      },
      {
        name: "share accepted",
        color: COLORS.accepted,
        dashed: true,
        points: curve.map((p) => ({ x: p.threshold, y: p.accepted })),
      },
    ], {
      title: "Open-set threshold",
      xLabel: "threshold on the top probability",
      xMin: 0,
      xMax: 1,
      yMin: 0,
      yMax: 1,
      markers: [{ x: t.value, label: `threshold ${t.value}`, color: "#7048e8" }],
    })
    : "";
  const rule = t.decidedBy
    ? `<p>${
      esc(t.decidedBy)
    }</p>\n<p>The head's probability threshold, for information: <b>${t.value}</b>; it ${
      esc(t.rule)
    }.</p>`
    : `<p>A face whose top probability is below <b>${t.value}</b> is called <i>unknown</i>; the threshold ${
      esc(t.rule)
    }.</p>`;
  return `<section id="threshold"><h2>Unknown faces</h2>
${rule}
${
    chart
      ? `<div class="charts">${chart}</div><p class="muted">${
        esc(o!.caption)
      }, photos with a face.</p>`
      : ""
  }
</section>`;
}

function strangersSection(data: ReportData): string {
  const s = data.strangers;
  if (!s) return "";
  const lo = Math.min(...s.thresholds), hi = Math.max(...s.thresholds);
  const chart = lineChart([
    {
      name: "known people named right",
      color: COLORS.accuracy,
      points: s.curve.map((p) => ({ x: p.threshold, y: p.knownAccuracy })),
    },
    {
      name: "strangers rejected",
      color: COLORS.accepted,
      points: s.curve.map((p) => ({ x: p.threshold, y: p.rejection })),
    },
  ], {
    title: "Strangers",
    xLabel: "one distance threshold for everyone",
    yMin: 0,
    yMax: 1,
    markers: [
      { x: lo, label: `per-person ${lo}`, color: "#7048e8" },
      ...(hi > lo ? [{ x: hi, label: `to ${hi}`, color: "#7048e8" }] : []),
    ],
  });
  return `<section id="strangers"><h2>Strangers</h2>
<p>At the model's per-person thresholds (${lo}${hi > lo ? ` to ${hi}` : ""}): <b>${
    pct(s.knownAccuracy)
  }</b> of the ${s.photos.known} photos of known people named right, <b>${
    pct(s.rejection)
  }</b> of the ${s.photos.unknown} photos of other people rejected. A photo names its most
confident accepted face, or nobody; a photo without a face names nobody.</p>
<div class="charts">${chart}</div>
<p class="muted">The curves use one threshold for everyone (what <code>--threshold</code> sets).</p>
</section>`;
}

function runSection(data: ReportData): string {
  const { config, backend, timings } = data.run;
  const entries = Object.entries(config).filter(([, v]) => v !== undefined);
  const dl = (pairs: [string, string][]) =>
    `<dl class="config">${
      pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")
    }</dl>`;
  const value = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const timingPairs = Object.entries(timings)
    .filter(([, s]) => typeof s === "number" && Number.isFinite(s))
    .map(([k, s]): [string, string] => [k, `${s.toFixed(s < 10 ? 2 : 1)} s`]);
  return `<section id="run"><h2>Run</h2>
<div class="charts"><div><h3>Configuration</h3>${dl(entries.map(([k, v]) => [k, value(v)]))}</div>
<div><h3>Backend</h3>${
    backend
      ? dl([["backend", backend.name], ["device", backend.device]])
      : '<p class="muted">not recorded</p>'
  }
<h3>Timings</h3>${
    timingPairs.length ? dl(timingPairs) : '<p class="muted">not recorded</p>'
  }</div></div>
</section>`;
}
