/**
 * Inline SVG charts for the HTML report: line charts (training curves, the threshold curve) and
 * a heat map (the confusion matrix). Plain strings, no script and no external resource, so the
 * page works offline and from a `file:` URL.
 *
 * @module
 */

/** One line of a chart. */
export interface Series {
  /** Legend text, also the `data-series` attribute of its line. */
  name: string;
  points: readonly { x: number; y: number }[];
  /** CSS colour of the line. */
  color: string;
  /** Draw the line dashed (e.g. the training figures next to the solid validation ones). */
  dashed?: boolean;
}

/** A vertical line across a chart at an x value, with a label. */
export interface Marker {
  x: number;
  label: string;
  /** CSS colour (default grey). */
  color?: string;
}

/** Chart geometry and axes. */
export interface LineChartOptions {
  /** Heading inside the chart, also its accessible name. */
  title: string;
  xLabel?: string;
  yLabel?: string;
  /** Width in pixels (default 560). */
  width?: number;
  /** Height in pixels (default 260). */
  height?: number;
  /** Fixed lower end of the y axis (default: from the data). */
  yMin?: number;
  /** Fixed upper end of the y axis (default: from the data). */
  yMax?: number;
  /** Fixed ends of the x axis (default: from the data). */
  xMin?: number;
  xMax?: number;
  /** A logarithmic y axis, e.g. for the learning rate (values must be positive). */
  logY?: boolean;
  markers?: readonly Marker[];
}

/** Escape text for HTML and SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A short number for axis ticks: 0.5, 12, 1.2e-4. */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-2) return v.toExponential(0).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.75) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

/** Ticks for a log axis spanning 10^lo..10^hi: the powers of ten, or round values within a decade. */
function logTicks(lo: number, hi: number): number[] {
  const decades = Math.floor(hi) - Math.ceil(lo);
  if (decades >= 1) return niceTicks(Math.ceil(lo), Math.floor(hi), decades).map((e) => 10 ** e);
  return niceTicks(10 ** lo, 10 ** hi, 3).filter((t) => t > 0);
}

/**
 * A line chart as an `<svg>` element string.
 *
 * @example Loss falling over three epochs
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "./svg_charts.ts";
 *
 * const svg = lineChart(
 *   [{ name: "loss", color: "#1f77b4", points: [{ x: 1, y: 0.9 }, { x: 2, y: 0.5 }, { x: 3, y: 0.3 }] }],
 *   { title: "Loss", xLabel: "epoch" },
 * );
 * assert.match(svg, /^<svg[\s\S]*data-series="loss"/);
 * ```
 */
export function lineChart(series: readonly Series[], options: LineChartOptions): string {
  const width = options.width ?? 540, height = options.height ?? 260;
  const m = { left: 56, right: 16, top: 34, bottom: 42 };
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const logY = options.logY === true;
  const all = series.flatMap((s) => s.points).filter((p) =>
    Number.isFinite(p.x) && Number.isFinite(p.y)
  );
  const ys = all.map((p) => (logY ? Math.log10(Math.max(p.y, 1e-12)) : p.y));
  const xs = all.map((p) => p.x);
  let x0 = options.xMin ?? Math.min(...xs), x1 = options.xMax ?? Math.max(...xs);
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) [x0, x1] = [0, 1];
  if (x1 <= x0) x1 = x0 + 1;
  let y0 = options.yMin !== undefined
    ? (logY ? Math.log10(options.yMin) : options.yMin)
    : Math.min(...ys);
  let y1 = options.yMax !== undefined
    ? (logY ? Math.log10(options.yMax) : options.yMax)
    : Math.max(...ys);
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [0, 1];
  if (y1 <= y0) [y0, y1] = logY ? [y0 - 0.5, y1 + 0.5] : [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  if (options.yMin === undefined) y0 -= pad;
  if (options.yMax === undefined) y1 += pad;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) =>
    m.top + (1 - ((logY ? Math.log10(Math.max(y, 1e-12)) : y) - y0) / (y1 - y0)) * ph;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text class="chart-title" x="${m.left}" y="18">${escapeXml(options.title)}</text>`,
  );
  const yTicks = logY ? logTicks(y0, y1) : niceTicks(y0, y1, 5);
  for (const t of yTicks) {
    const y = sy(t);
    if (y < m.top - 0.5 || y > m.top + ph + 0.5) continue;
    parts.push(
      `<line class="grid" x1="${m.left}" x2="${m.left + pw}" y1="${f(y)}" y2="${f(y)}"/>`,
      `<text class="tick" x="${m.left - 6}" y="${f(y + 4)}" text-anchor="end">${
        formatTick(t)
      }</text>`,
    );
  }
  const xTicks = niceTicks(x0, x1, Math.min(8, Math.max(1, Math.round(x1 - x0)) || 8));
  for (const t of xTicks) {
    const x = sx(t);
    parts.push(
      `<line class="grid" x1="${f(x)}" x2="${f(x)}" y1="${m.top}" y2="${m.top + ph}"/>`,
      `<text class="tick" x="${f(x)}" y="${m.top + ph + 16}" text-anchor="middle">${
        formatTick(t)
      }</text>`,
    );
  }
  parts.push(`<rect class="frame" x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/>`);
  if (options.xLabel) {
    parts.push(
      `<text class="axis-label" x="${m.left + pw / 2}" y="${height - 6}" text-anchor="middle">${
        escapeXml(options.xLabel)
      }</text>`,
    );
  }
  if (options.yLabel) {
    parts.push(
      `<text class="axis-label" transform="translate(14 ${
        m.top + ph / 2
      }) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
    );
  }
  for (const marker of options.markers ?? []) {
    if (marker.x < x0 || marker.x > x1) continue;
    const x = f(sx(marker.x));
    const color = marker.color ?? "#777";
    // Keep the label inside the chart near either end.
    const at = (marker.x - x0) / (x1 - x0);
    const anchor = at > 0.9 ? "end" : at < 0.1 ? "start" : "middle";
    parts.push(
      `<g class="marker" data-marker="${escapeXml(marker.label)}">` +
        `<line x1="${x}" x2="${x}" y1="${m.top}" y2="${
          m.top + ph
        }" stroke="${color}" stroke-dasharray="4 3"/>` +
        `<text x="${x}" y="${m.top - 4}" text-anchor="${anchor}" fill="${color}">${
          escapeXml(marker.label)
        }</text></g>`,
    );
  }
  for (const s of series) {
    const pts = s.points.filter((p) =>
      Number.isFinite(p.x) && Number.isFinite(p.y) && (!logY || p.y > 0)
    );
    if (pts.length === 0) continue;
    const coords = pts.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(" ");
    parts.push(
      `<polyline class="series" data-series="${
        escapeXml(s.name)
      }" fill="none" stroke="${s.color}" ` +
        `stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ""} points="${coords}"><title>${
          escapeXml(s.name)
        }</title></polyline>`,
    );
    if (pts.length <= 40) {
      for (const p of pts) {
        parts.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="2.5" fill="${s.color}"/>`);
      }
    }
  }
  // Legend, right-aligned on the title line.
  let lx = width - m.right;
  for (const s of [...series].reverse()) {
    const w = 26 + s.name.length * 6.5;
    lx -= w;
    parts.push(
      `<g class="legend"><line x1="${f(lx)}" x2="${
        f(lx + 18)
      }" y1="14" y2="14" stroke="${s.color}" ` +
        `stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ""}/>` +
        `<text x="${f(lx + 22)}" y="18">${escapeXml(s.name)}</text></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/** How a heat map is labelled. */
export interface HeatMapOptions {
  /** Accessible name (default "Confusion matrix"). */
  title?: string;
  /** Axis title of the rows (default "true"). */
  rowTitle?: string;
  /** Axis title of the columns (default "predicted"). */
  columnTitle?: string;
  /** Side of a cell in pixels (default 44). */
  cell?: number;
}

/**
 * A confusion matrix as an `<svg>` heat map. Each cell is shaded by its share of the row: blue on
 * the diagonal (a row's name equals the column's), red off it, so errors stand out.
 *
 * @param rows the true names.
 * @param columns the predicted names (may add columns such as "(no face)").
 * @param counts `counts[row][column]`.
 *
 * @example Two people, one mistake
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatMap } from "./svg_charts.ts";
 *
 * const svg = heatMap(["Ada", "Bob"], ["Ada", "Bob"], [[3, 1], [0, 4]]);
 * assert.equal(svg.match(/class="cell/g)?.length, 4);
 * ```
 */
export function heatMap(
  rows: readonly string[],
  columns: readonly string[],
  counts: readonly (readonly number[])[],
  options: HeatMapOptions = {},
): string {
  const cell = options.cell ?? 44;
  const longest = (names: readonly string[]) => Math.max(4, ...names.map((n) => n.length));
  const left = 24 + longest(rows) * 7.2;
  const top = 30 + longest(columns) * 5.2;
  // Column labels lean right, beyond the last column.
  const width = Math.ceil(left + columns.length * cell + longest(columns) * 5.5 + 12);
  const height = Math.ceil(top + rows.length * cell + 12);
  const title = options.title ?? "Confusion matrix";
  const parts = [
    `<svg class="heatmap" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<text class="axis-label" x="${
      left + (columns.length * cell) / 2
    }" y="12" text-anchor="middle">${escapeXml(options.columnTitle ?? "predicted")}</text>`,
    `<text class="axis-label" transform="translate(10 ${
      top + (rows.length * cell) / 2
    }) rotate(-90)" ` +
    `text-anchor="middle">${escapeXml(options.rowTitle ?? "true")}</text>`,
  ];
  columns.forEach((c, j) => {
    const x = left + j * cell + cell / 2;
    parts.push(
      `<text class="col-label" transform="translate(${x.toFixed(1)} ${top - 6}) rotate(-40)">${
        escapeXml(c)
      }</text>`,
    );
  });
  rows.forEach((r, i) => {
    const y = top + i * cell;
    const total = (counts[i] ?? []).reduce((a, b) => a + b, 0);
    parts.push(
      `<text class="row-label" x="${(left - 6).toFixed(1)}" y="${
        (y + cell / 2 + 4).toFixed(1)
      }" text-anchor="end">${escapeXml(r)}</text>`,
    );
    columns.forEach((c, j) => {
      const n = counts[i]?.[j] ?? 0;
      const share = total > 0 ? n / total : 0;
      const diagonal = r === c;
      const fill = n === 0 ? "#f4f5f7" : shade(share, diagonal);
      const x = left + j * cell;
      parts.push(
        `<g><rect class="cell${diagonal ? " diagonal" : ""}" data-row="${escapeXml(r)}" data-col="${
          escapeXml(c)
        }" ` +
          `data-count="${n}" x="${x.toFixed(1)}" y="${y}" width="${cell - 2}" height="${
            cell - 2
          }" fill="${fill}">` +
          `<title>${
            escapeXml(`${r} -> ${c}: ${n}${total ? ` (${Math.round(share * 100)}% of ${r})` : ""}`)
          }</title></rect>` +
          (n > 0
            ? `<text class="count" x="${(x + (cell - 2) / 2).toFixed(1)}" y="${
              y + cell / 2 + 3
            }" ` +
              `text-anchor="middle" fill="${share > 0.55 ? "#fff" : "#222"}">${n}</text>`
            : "") +
          "</g>",
      );
    });
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Mix white towards blue (diagonal) or red (errors) by `share` in [0, 1]. */
function shade(share: number, diagonal: boolean): string {
  const to = diagonal ? [33, 102, 172] : [203, 24, 29];
  const t = 0.15 + 0.85 * Math.min(1, Math.max(0, share));
  const c = to.map((v) => Math.round(255 + (v - 255) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
