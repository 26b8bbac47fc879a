/**
 * The cluster stage: group an unlabelled photo library by person, name the groups, and write them
 * as a training folder with a page to check them.
 *
 * @module
 */
export {
  DEFAULT_DISTANCE,
  DEFAULT_MIN_FACES,
  densityCluster,
  type DensityOptions,
  type DensityResult,
  MIN_RELIABLE_SIDE,
  VOTE_SHARE,
} from "./density.ts";
export { NeighbourIndex, type Points } from "./neighbours.ts";
export { PhotoAwareGroups } from "./same_photo.ts";
export {
  type ClusterFace,
  type Clustering,
  clusterLibrary,
  type ClusterOptions,
  DEFAULT_MERGE_DISTANCE,
  type FaceGroup,
  groupFaces,
  type GroupPair,
  type NearestOther,
} from "./library.ts";
export { type ClusteringJson, clusteringJson, type FaceJson } from "./json.ts";
export {
  CLUSTERS_HTML,
  CLUSTERS_JSON,
  entryName,
  faceKey,
  keyOfFace,
  type LayoutFiles,
  type PreviousFolder,
  readPreviousLayout,
  UNSORTED_FOLDER,
  writeLayout,
} from "./layout.ts";
export { carryNames, type ModelNamingOptions, nameByModel, NUMBERED } from "./naming.ts";
export {
  facesShown,
  faceThumbnails,
  type PageOptions,
  renderClusterPage,
  type Thumbnails,
} from "./page.ts";
export { faceMarkerOf, type MarkedBox, markedFace, markFace } from "../dataset/face_marker.ts";
