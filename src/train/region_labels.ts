/**
 * Training faces named by regions rather than by folders: a photo library whose face regions
 * (e.g. XMP `mwg-rs:Regions`, read by src/xmp/labels.ts) already say who is where.
 *
 * @module
 */
import { relative } from "node:path";
import type { Dataset } from "../dataset/scan.ts";
import type { PhotoRecord } from "../embed/photo.ts";
import { iou } from "../face/geometry.ts";

/** A photo and the named regions in it. */
export interface RegionLabelledPhoto {
  /** The photo. */
  path: string;
  /** Its named regions; boxes normalised to the upright photo (top-left corner, 0..1). */
  regions: readonly {
    name: string;
    box: { x: number; y: number; width: number; height: number };
  }[];
}

/** Least overlap (IoU) of a region and the face it picks. */
export const MIN_REGION_IOU = 0.1;

/**
 * A dataset of region-labelled photos, as `scanDataset` would give: people sorted, one file per
 * photo (labelled with its first region's person, for messages only).
 */
export function regionDataset(root: string, photos: readonly RegionLabelledPhoto[]): Dataset {
  const labels = [...new Set(photos.flatMap((p) => p.regions.map((r) => r.name)))].sort();
  return {
    root,
    labels,
    files: photos.filter((p) => p.regions.length > 0).map((p) => ({
      path: p.path,
      name: relative(root, p.path),
      label: p.regions[0].name,
    })),
    unknown: [],
    skipped: [],
    warnings: [],
  };
}

/**
 * The face a region picks: of the faces whose centre lies in the region, the one that overlaps
 * it most (at least {@linkcode MIN_REGION_IOU}); -1 when none does. Tools draw regions of their
 * own shape (often larger than the detector's box), so the centre decides, and the overlap keeps a
 * small face in a large region from being taken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { faceInRegion } from "./region_labels.ts";
 *
 * const face = (x: number) => ({ box: { x, y: 10, width: 20, height: 20 }, score: 1, pass: 1 as const, landmarks: [], embedding: [] });
 * const record = { width: 100, height: 100, faces: [face(10), face(60)] };
 * assert.equal(faceInRegion(record, { x: 0.55, y: 0.05, width: 0.3, height: 0.35 }), 1);
 * assert.equal(faceInRegion(record, { x: 0.4, y: 0.6, width: 0.2, height: 0.2 }), -1);
 * ```
 */
export function faceInRegion(
  record: PhotoRecord,
  region: { x: number; y: number; width: number; height: number },
): number {
  const r = {
    x: region.x * record.width,
    y: region.y * record.height,
    width: region.width * record.width,
    height: region.height * record.height,
  };
  let best = -1, bestIou = MIN_REGION_IOU;
  record.faces.forEach((f, i) => {
    const cx = f.box.x + f.box.width / 2, cy = f.box.y + f.box.height / 2;
    if (cx < r.x || cx > r.x + r.width || cy < r.y || cy > r.y + r.height) return;
    const overlap = iou(f.box, r);
    if (overlap >= bestIou) [best, bestIou] = [i, overlap];
  });
  return best;
}
