/**
 * The photo-metadata stage: read and write XMP face regions (Metadata Working Group
 * `mwg-rs:Regions`) and `Iptc4xmpExt:PersonInImage`, in sidecars and embedded in photos, with the
 * EXIF orientation handled; and tag a whole library with a trained model.
 *
 * @module
 */
export type { Orientation } from "../image/exif.ts";
export { embeddedXmp } from "./embedded.ts";
export { EMPTY_XMP, mergeRegions, type NamedFace, OVERLAP, type RegionUpdate } from "./merge.ts";
export { storedSize, storedToUpright, type UnitRect, uprightToStored } from "./orientation.ts";
export { photoGeometry, type PhotoRegions, readPhotoRegions } from "./photo.ts";
export { NS as XMP_NAMESPACES, XmpParseError } from "./rdf.ts";
export {
  type FaceRegion,
  type PhotoGeometry,
  readRegions,
  regionFrame,
  type RegionInfo,
} from "./regions.ts";
export {
  readSidecar,
  type Sidecar,
  sidecarCandidates,
  sidecarPath,
  writeAtomic,
} from "./sidecar.ts";
export {
  modelId,
  STATE_FILE,
  type TagFailure,
  type TaggedFace,
  type TaggedPhoto,
  tagLibrary,
  type TagModel,
  type TagOptions,
  type TagProgress,
  type TagSummary,
} from "./tag.ts";
export { type LabelledRegion, libraryRegions, type RegionLabels } from "./labels.ts";
