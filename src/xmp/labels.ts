/**
 * Training labels from a photo library: the named face regions its photos already carry, in
 * sidecars or embedded XMP, as tools such as digiKam, Lightroom or facefit wrote them.
 *
 * @module
 */
import { scanLibrary } from "../dataset/scan.ts";
import type { UnitRect } from "./orientation.ts";
import { readPhotoRegions } from "./photo.ts";
import type { TagFailure } from "./tag.ts";

/** A named face region, normalised to the upright photo. */
export interface LabelledRegion {
  /** The person. */
  name: string;
  /** Where, normalised to the upright photo (top-left corner, 0..1). */
  box: UnitRect;
}

/** A photo with its named face regions. */
export interface RegionLabels {
  /** The photo. */
  path: string;
  /** Its named face regions (at least one). */
  regions: LabelledRegion[];
}

/**
 * Every photo under `root` with at least one named face region (`mwg-rs:Type` Face or none).
 * Unnamed regions and other types (pets, focus) are counted, not used.
 *
 * @example Count the named faces of a library
 * ```ts ignore
 * import { libraryRegions } from "../../mod.ts";
 *
 * const { photos } = await libraryRegions("Pictures");
 * console.log(photos.reduce((n, p) => n + p.regions.length, 0), "named faces");
 * ```
 */
export async function libraryRegions(
  root: string,
  onProgress?: (done: number, total: number) => void,
): Promise<
  { photos: RegionLabels[]; failed: TagFailure[]; photosWithout: number; unnamed: number }
> {
  const library = await scanLibrary(root);
  const files = library.files.map((f) => f.path), skipped = library.skipped;
  const photos: RegionLabels[] = [];
  const failed: TagFailure[] = skipped.map((s) => ({ path: s.path, reason: s.reason }));
  let unnamed = 0;
  let photosWithout = 0;
  for (const [i, path] of files.entries()) {
    try {
      const { regions } = await readPhotoRegions(path);
      const named: LabelledRegion[] = [];
      for (const r of regions) {
        if (r.type !== undefined && r.type !== "Face") continue;
        if (r.name) named.push({ name: r.name, box: r.box });
        else unnamed++;
      }
      if (named.length > 0) photos.push({ path, regions: named });
      else photosWithout++;
    } catch (error) {
      failed.push({ path, reason: error instanceof Error ? error.message : String(error) });
    }
    onProgress?.(i + 1, files.length);
  }
  return { photos, failed, photosWithout, unnamed };
}
