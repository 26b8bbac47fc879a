/**
 * Which face of a photo a training file means, written into the file's name.
 *
 * `facefit cluster` puts a photo with several faces into a person's folder as a link named
 * `NAME.face-X-Y-W-H.EXT`: the box of the face that is that person. `train` then takes that face
 * instead of guessing. The box travels with the file when a person moves it to another folder.
 *
 * @module
 */

/** A face box in the upright photo's pixels. */
export interface MarkedBox {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

const MARKER = /\.face-(\d+)-(\d+)-(\d+)-(\d+)(\.[^./]*)?$/;

/**
 * The file name `name` with the face box written in, before the extension.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { faceMarkerOf, markFace } from "./face_marker.ts";
 *
 * const name = markFace("Messi-12.jpg", { x: 10.4, y: 20, width: 31, height: 40.6 });
 * assert.equal(name, "Messi-12.face-10-20-31-41.jpg");
 * assert.deepEqual(faceMarkerOf(name), { x: 10, y: 20, width: 31, height: 41 });
 * ```
 */
export function markFace(name: string, box: MarkedBox): string {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  const r = (v: number) => Math.max(0, Math.round(v));
  return `${stem}.face-${r(box.x)}-${r(box.y)}-${r(box.width)}-${r(box.height)}${ext}`;
}

/** The face box written into a file name by {@linkcode markFace}, if any. */
export function faceMarkerOf(name: string): MarkedBox | undefined {
  const m = MARKER.exec(name);
  if (!m) return undefined;
  const [x, y, width, height] = m.slice(1, 5).map(Number);
  return { x, y, width, height };
}

/**
 * The face among `boxes` that the marker means: the one overlapping it most, if it overlaps by at
 * least half (intersection over union); else -1.
 */
export function markedFace(boxes: readonly MarkedBox[], marker: MarkedBox): number {
  let best = -1, bestIou = 0.5;
  boxes.forEach((b, i) => {
    const iou = intersectionOverUnion(b, marker);
    if (iou >= bestIou) [best, bestIou] = [i, iou];
  });
  return best;
}

function intersectionOverUnion(a: MarkedBox, b: MarkedBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}
