/**
 * The groups as plain JSON: what `facefit cluster --json` prints and `clusters.json` holds.
 *
 * @module
 */
import type { Box } from "../face/geometry.ts";
import type { Clustering } from "./library.ts";

/** One face in the JSON. */
export interface FaceJson {
  /** The photo, as found under the library. */
  file: string;
  /** The face's box in the upright photo's pixels. */
  box: Box;
  /** Distance of its descriptor to its group's centroid (grouped faces only). */
  distance?: number;
}

/** The JSON of a {@linkcode Clustering}. */
export interface ClusteringJson {
  /** The library folder, as given. */
  library: string;
  /** The linking distance used. */
  distance: number;
  /** The fewest faces in a group used. */
  minFaces: number;
  /** Photos read. */
  photos: number;
  /** Faces found. */
  faces: number;
  /** The groups, largest first; `source` says where the name came from (number, carried, model). */
  groups: { name: string; source: string; size: number; faces: FaceJson[] }[];
  /** Faces in no group. */
  unsorted: FaceJson[];
  /** Photos without a face. */
  noFace: string[];
  /** Files that could not be read, and why. */
  failed: { path: string; reason: string }[];
  /** Pairs of groups that look like one person, with their centroids' distance. */
  suggestedMerges: { a: string; b: string; distance: number }[];
  /** Pairs of groups that hold faces of one photo, so are not one person. */
  sharedPhotos: { a: string; b: string; photos: string[] }[];
}

/** The groups as JSON-ready data, faces of a group nearest its centroid first. */
export function clusteringJson(c: Clustering): ClusteringJson {
  const face = (i: number): FaceJson => {
    const f = c.faces[i];
    const box = {
      x: Math.round(f.box.x),
      y: Math.round(f.box.y),
      width: Math.round(f.box.width),
      height: Math.round(f.box.height),
    };
    return f.distance === undefined
      ? { file: f.file, box }
      : { file: f.file, box, distance: f.distance };
  };
  const name = (g: number) => c.groups[g].name;
  return {
    library: c.library,
    distance: c.distance,
    minFaces: c.minFaces,
    photos: c.photos,
    faces: c.faces.length,
    groups: c.groups.map((g) => ({
      name: g.name,
      source: g.source,
      size: g.faces.length,
      faces: g.faces.map(face),
    })),
    unsorted: c.unsorted.map(face),
    noFace: c.noFace,
    failed: c.failed,
    suggestedMerges: c.merges.map((m) => ({ a: name(m.a), b: name(m.b), distance: m.distance })),
    sharedPhotos: c.sharedPhotos.map((s) => ({ a: name(s.a), b: name(s.b), photos: s.photos })),
  };
}
