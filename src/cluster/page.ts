/**
 * `clusters.html`: one self-contained page of the groups for a person to check before naming them:
 * each group's size and faces (nearest its centroid first), its face nearest another group's,
 * pairs of groups that look like one person (suggested merges), pairs that share a photo (cannot
 * be one person), and the faces in no group. Thumbnails are the aligned face chips from the cache,
 * embedded as `data:` URIs, so the page opens offline.
 *
 * @module
 */
import type { FaceAnalyzer } from "../embed/photo.ts";
import { CHIP_SIZE } from "../embed/backbone.ts";
import { resizeImage } from "../report/canvas.ts";
import { dataUri, encodeCompact } from "../report/encode.ts";
import type { Clustering } from "./library.ts";

/** Thumbnails by face index, as `data:` URIs. */
export type Thumbnails = Map<number, string>;

/** Options of the page. */
export interface PageOptions {
  /** Faces shown per group (the rest are counted). Default 40. */
  perGroup?: number;
  /** Unsorted faces shown. Default 120. */
  unsorted?: number;
  /** Thumbnail side in pixels. Default 64. */
  side?: number;
}

const PAGE_DEFAULTS = { perGroup: 40, unsorted: 120, side: 64 };

/** The faces the page shows, in face-index order. */
export function facesShown(c: Clustering, options: PageOptions = {}): number[] {
  const o = { ...PAGE_DEFAULTS, ...options };
  const shown = new Set<number>();
  for (const g of c.groups) for (const i of g.faces.slice(0, o.perGroup)) shown.add(i);
  for (const n of c.nearest) shown.add(n.face).add(n.otherFace);
  for (const i of c.unsorted.slice(0, o.unsorted)) shown.add(i);
  return [...shown].sort((a, b) => a - b);
}

/**
 * Small thumbnails of faces from their aligned chips (cached by the analyzer, so nothing is
 * detected again).
 *
 * @param onPhoto called after each photo, for progress.
 */
export async function faceThumbnails(
  analyzer: FaceAnalyzer,
  c: Clustering,
  faces: readonly number[],
  options: PageOptions & { onPhoto?: (done: number, total: number) => void } = {},
): Promise<Thumbnails> {
  const side = options.side ?? PAGE_DEFAULTS.side;
  const byFile = new Map<string, number[]>();
  for (const i of faces) {
    const list = byFile.get(c.faces[i].file) ?? [];
    list.push(i);
    byFile.set(c.faces[i].file, list);
  }
  const out: Thumbnails = new Map();
  let done = 0;
  const bytesPerChip = CHIP_SIZE * CHIP_SIZE * 3;
  for (const [file, list] of byFile) {
    try {
      const { chips } = await analyzer.chipsOf(file);
      for (const i of list) {
        const k = c.faces[i].face;
        const chip = {
          width: CHIP_SIZE,
          height: CHIP_SIZE,
          data: chips.subarray(k * bytesPerChip, (k + 1) * bytesPerChip),
        };
        const { bytes, mime } = await encodeCompact(resizeImage(chip, side, side), 80);
        out.set(i, dataUri(bytes, mime));
      }
    } catch {
      // The photo changed or vanished since it was analysed: the page shows its name instead.
    }
    options.onPhoto?.(++done, byFile.size);
  }
  return out;
}

/** The page as one HTML string. */
export function renderClusterPage(
  c: Clustering,
  thumbs: Thumbnails,
  options: PageOptions = {},
): string {
  const o = { ...PAGE_DEFAULTS, ...options };
  const img = (i: number, extra = "") => {
    const f = c.faces[i];
    const title = `${f.name}${f.faces > 1 ? ` (face ${f.face + 1} of ${f.faces})` : ""}${
      f.distance !== undefined ? `, ${f.distance.toFixed(3)} from the centroid` : ""
    }`;
    const src = thumbs.get(i);
    return src
      ? `<img class="face" src="${src}" width="${o.side}" height="${o.side}" alt="${
        esc(f.name)
      }" title="${esc(title)}"${extra}>`
      : `<span class="face missing" title="${esc(title)}">${esc(f.name)}</span>`;
  };
  const name = (g: number) => `<a href="#g${g}">${esc(c.groups[g].name)}</a>`;
  const nearest = new Map(c.nearest.map((n) => [n.group, n]));
  const groups = c.groups.map((g, k) => {
    const n = nearest.get(k);
    const more = g.faces.length - Math.min(g.faces.length, o.perGroup);
    return `<section class="group" id="g${k}" data-name="${
      esc(g.name)
    }" data-size="${g.faces.length}">
<h2>${esc(g.name)} <small>${g.faces.length} faces${
      g.source !== "number"
        ? `, name ${g.source === "carried" ? "carried over" : "from the model"}`
        : ""
    }</small></h2>
${
      n
        ? `<p class="nearest">Nearest other group: ${name(n.other)}, ${
          n.distance.toFixed(3)
        } apart: ${img(n.face)} ${img(n.otherFace)}</p>`
        : ""
    }
<div class="faces">${g.faces.slice(0, o.perGroup).map((i) => img(i)).join("")}${
      more > 0 ? `<span class="more">+${more} more</span>` : ""
    }</div>
</section>`;
  }).join("\n");
  const merges = c.merges.length === 0
    ? "<p>None.</p>"
    : `<table class="merges"><tr><th>group</th><th>group</th><th>centroid distance</th></tr>${
      c.merges.map((m) =>
        `<tr><td>${name(m.a)} ${img(c.groups[m.a].faces[0])}</td><td>${name(m.b)} ${
          img(c.groups[m.b].faces[0])
        }</td><td>${m.distance.toFixed(3)}</td></tr>`
      ).join("")
    }</table>`;
  const shared = c.sharedPhotos.length === 0
    ? "<p>None.</p>"
    : `<table class="shared"><tr><th>group</th><th>group</th><th>photos with a face in each</th></tr>${
      c.sharedPhotos.map((s) =>
        `<tr><td>${name(s.a)}</td><td>${name(s.b)}</td><td>${
          s.photos.map(esc).join("<br>")
        }</td></tr>`
      ).join("")
    }</table>`;
  const unsortedMore = c.unsorted.length - Math.min(c.unsorted.length, o.unsorted);
  const grouped = c.faces.length - c.unsorted.length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>facefit: groups of ${esc(c.library)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin:.2em 0}small{color:#666;font-weight:normal}
.group{border-top:1px solid #ddd;padding:.6em 0}
.faces{display:flex;flex-wrap:wrap;gap:3px}
.face{border-radius:4px;vertical-align:middle}
.missing{display:inline-block;width:64px;height:64px;overflow:hidden;font-size:9px;background:#eee}
.more{align-self:center;color:#666;padding:0 .5em}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}
</style></head><body>
<h1>Groups of faces in ${esc(c.library)}</h1>
<p id="summary">${c.photos} photos, ${c.faces.length} faces: ${c.groups.length} groups holding ${grouped} faces, ${c.unsorted.length} faces in no group, ${c.noFace.length} photo${
    c.noFace.length === 1 ? "" : "s"
  } without a face${
    c.failed.length ? `, ${c.failed.length} files unreadable` : ""
  }. Linking distance ${c.distance}, at least ${c.minFaces} faces a group; two faces of one photo are never grouped together.</p>
<p>Rename a folder <code>person_NNN</code> to the person's name, move wrong faces to <code>_unsorted</code> or another folder, then <code>facefit train --data</code> this folder. Names carry over to the next run.</p>
<h2>Suggested merges: groups that look like one person</h2>
${merges}
<h2>Groups that share a photo: not one person</h2>
${shared}
${groups}
<section id="unsorted" data-size="${c.unsorted.length}"><h2>_unsorted <small>${c.unsorted.length} faces in no group</small></h2>
<div class="faces">${c.unsorted.slice(0, o.unsorted).map((i) => img(i)).join("")}${
    unsortedMore > 0 ? `<span class="more">+${unsortedMore} more</span>` : ""
  }</div></section>
</body></html>
`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
