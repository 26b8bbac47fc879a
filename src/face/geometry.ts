/**
 * Boxes, points and the similarity transform that maps a canonical face chip onto a photo.
 *
 * @module
 */

/** A point in image pixel coordinates. */
export interface Point {
  /** Pixels from the left edge. */
  x: number;
  /** Pixels from the top edge. */
  y: number;
}

/** An axis-aligned box in image pixel coordinates. */
export interface Box {
  /** Left edge in pixels. */
  x: number;
  /** Top edge in pixels. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Intersection over union of two boxes, 0 when they do not overlap. */
export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression.
 *
 * @returns the indices of the kept items, best score first.
 */
export function nonMaxSuppression(
  boxes: readonly Box[],
  scores: readonly number[],
  iouThreshold: number,
): number[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((k) => iou(boxes[i], boxes[k]) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

/** Clamp a box to an image of the given size; may return an empty box. */
export function clampBox(box: Box, width: number, height: number): Box {
  const x0 = Math.max(0, Math.min(width, box.x));
  const y0 = Math.max(0, Math.min(height, box.y));
  const x1 = Math.max(0, Math.min(width, box.x + box.width));
  const y1 = Math.max(0, Math.min(height, box.y + box.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * A similarity transform `p' = s R p + t`, stored as `[a, -b, tx; b, a, ty]` with `a = s cos`,
 * `b = s sin`.
 */
export interface Similarity {
  /** s cos(angle). */
  a: number;
  /** s sin(angle). */
  b: number;
  /** Translation along x, in pixels. */
  tx: number;
  /** Translation along y, in pixels. */
  ty: number;
}

/** Apply a similarity transform to a point. */
export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

/**
 * The least-squares similarity transform taking `from[i]` to `to[i]` (Umeyama 1991, no
 * reflection).
 *
 * @throws RangeError when fewer than two point pairs are given or the lists differ in length.
 */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length !== to.length || from.length < 2) {
    throw new RangeError(
      `Cannot fit a similarity transform to ${from.length} and ${to.length} points; ` +
        "give two equally long lists of at least 2 points",
    );
  }
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i].x;
    fy += from[i].y;
    tx += to[i].x;
    ty += to[i].y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  // For 2-D similarity the closed form is: a = sum(dx·dx' + dy·dy') / sum|d|², b = sum(dx·dy' - dy·dx') / sum|d|².
  let sxx = 0, sxy = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const dx = from[i].x - fx, dy = from[i].y - fy;
    const ex = to[i].x - tx, ey = to[i].y - ty;
    sxx += dx * ex + dy * ey;
    sxy += dx * ey - dy * ex;
    norm += dx * dx + dy * dy;
  }
  if (norm === 0) throw new RangeError("Cannot fit a similarity transform: all points coincide");
  const a = sxx / norm;
  const b = sxy / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}
