/**
 * facefit: recognise your people in photos with pretrained face networks and a head trained on
 * your own folder-per-person collection.
 *
 * The stages, in pipeline order: start a backend, decode images, detect and align faces, embed
 * them with the pretrained ResNet, train a classifier head, recognise, evaluate.
 *
 * Import it by URL (or by path) from any folder: no `deno.json`, import map or `deno install` is
 * needed. Run with `--allow-read --allow-write
 * --allow-env=HOME,USERPROFILE,FACEFIT_CACHE,XDG_CACHE_HOME,XDG_RUNTIME_DIR,IMAGESCRIPT_WASM_SIMD`
 * (and `--allow-import=HOST` for a host other than Deno's default ones); see the README's "Use it
 * from your own code" for narrower permissions.
 *
 * @example Train on a folder, save, and name the faces of a photo
 * ```ts ignore
 * import {
 *   FaceAnalyzer,
 *   initBackend,
 *   Recognizer,
 *   saveModel,
 *   train,
 * } from "https://raw.githubusercontent.com/facefit/facefit/main/mod.ts";
 *
 * await initBackend("auto");
 * const analyzer = await FaceAnalyzer.load();
 * const result = await train(analyzer, { data: "photos/train", val: "photos/test" });
 * await saveModel("models/friends", result);
 *
 * const recognizer = await Recognizer.load("models/friends");
 * const { faces } = await recognizer.recognizeFile("party.jpg");
 * for (const face of faces) console.log(face.name, face.probability, face.box);
 * ```
 *
 * @example Group an unlabelled library by person, write the groups as folders, name one
 * ```ts ignore
 * import {
 *   clusteringJson,
 *   clusterLibrary,
 *   FaceAnalyzer,
 *   initBackend,
 *   writeLayout,
 * } from "./mod.ts";
 *
 * await initBackend("auto");
 * const clustering = await clusterLibrary(await FaceAnalyzer.load(), "Pictures/", {
 *   exclude: ["Pictures/people"],
 * });
 * for (const g of clustering.groups) console.log(g.name, g.faces.length);
 * await writeLayout("people", clustering, { json: JSON.stringify(clusteringJson(clustering)) });
 * // Rename people/person_001 to the person's name, then train on "people".
 * @example Read the face regions a photo manager wrote, and tag a library with XMP sidecars
 * ```ts ignore
 * import { initBackend, modelId, readPhotoRegions, Recognizer, tagLibrary } from "./mod.ts";
 *
 * const { regions } = await readPhotoRegions("Pictures/party.jpg"); // sidecar or embedded XMP
 * for (const r of regions) console.log(r.name, r.box); // normalised to the upright photo
 *
 * await initBackend("auto");
 * const model = { id: await modelId("models/friends"), load: () => Recognizer.load("models/friends") };
 * await tagLibrary("Pictures", model, { xmp: true }); // writes Pictures/party.jpg.xmp, ...
 * ```
 *
 * @module
 */
export { type BackendInfo, type BackendRequest, initBackend } from "./src/backend/backend.ts";
export {
  decodeImage,
  type DecodeOptions,
  decodeShrunk,
  ImageDecodeError,
  readImage,
  type RgbImage,
  type ShrinkRequest,
  type ShrunkImage,
} from "./src/image/mod.ts";
export {
  type Dataset,
  type LabelledFile,
  type Library,
  scanDataset,
  scanLibrary,
  type SkippedFile,
} from "./src/dataset/scan.ts";
export { stratifiedSplit } from "./src/dataset/split.ts";
export {
  type DetectedFace,
  type DetectionSource,
  type DetectOptions,
  type FaceBox,
  type FaceCrop,
  FaceDetector,
  type LandmarkRunner,
  photoSource,
  rgbSource,
  type SsdHelper,
  tensorSource,
  type View,
} from "./src/face/detect.ts";
export type { SsdOutput, SsdRunner } from "./src/face/ssd.ts";
export { type AlignOptions, CHIP_SIZE, chipTransform, extractChips } from "./src/face/align.ts";
export type { Box, Point, Similarity } from "./src/face/geometry.ts";
export { buildBackbone, embed, loadBackbone, setTrainableStages, STAGES } from "./src/embed/mod.ts";
export {
  type AnalyzerConfig,
  FaceAnalyzer,
  type FaceRecord,
  type PhotoRecord,
  type StageTimer,
} from "./src/embed/photo.ts";
export { buildHead, type HeadConfig } from "./src/head/head.ts";
export {
  loadModel,
  type ModelInfo,
  type SavedModel,
  saveModel,
  type SaveOptions,
} from "./src/head/model_io.ts";
export {
  calibrateOpenSet,
  type CalibrateOptions,
  type CalibrationPerson,
  centroidDistance,
  DEFAULT_CALIBRATION,
  type OpenSetData,
  type OpenSetInfo,
  type PersonThreshold,
} from "./src/head/open_set.ts";
export {
  type Recognition,
  type RecognizedFace,
  type RecognizeOptions,
  Recognizer,
  UNKNOWN,
} from "./src/head/recognizer.ts";
export {
  train,
  type TrainOptions,
  type TrainReport,
  type TrainResult,
  type ValidationOutcome,
} from "./src/train/train.ts";
export type { AugmentLevel } from "./src/train/augment.ts";
export type { FailedFile, StepProgress } from "./src/train/collect.ts";
export {
  EarlyStopping,
  type EpochLogs,
  type MonitorOptions,
  ReduceLROnPlateau,
  type ReduceLROptions,
} from "./src/train/callbacks.ts";
export {
  evaluate,
  type EvaluateOptions,
  type EvaluationReport,
  NO_FACE,
  type PhotoOutcome,
  UNREADABLE,
} from "./src/eval/evaluate.ts";
export {
  NOBODY,
  openSetFigures,
  type OpenSetOutcome,
  openSetOutcome,
  type OpenSetPoint,
  type OpenSetReport,
} from "./src/eval/open_set.ts";
export {
  annotateFaces,
  type AnnotateOptions,
  annotatePhoto,
  evaluationReport,
  type EvaluationReportOptions,
  type FaceLabel,
  KNOWN_COLOR,
  REPORT_FILE,
  type ReportOptions,
  type Rgb,
  type ThumbnailOptions,
  trainingReport,
  type TrainingReportInput,
  UNKNOWN_COLOR,
  writeReport,
} from "./src/report/mod.ts";
export {
  Callback,
  type LayersModel,
  type Logs,
  type Sequential,
  type Tensor2D,
  type Tensor3D,
  type Tensor4D,
} from "./src/backend/tf_types.ts";
export type { FaceChoice } from "./src/train/choose_face.ts";
export * from "./src/audit/mod.ts";
export { analyzeLibrary, type AnalyzeOptions, type AnalyzeSummary } from "./src/analyze/analyze.ts";
export {
  formatShard,
  inShard,
  parseShard,
  type Shard,
  SHARD_ENV,
  SHARD_INDEX_VARIABLES,
  shardOf,
} from "./src/analyze/shard.ts";
export * from "./src/cluster/mod.ts";
export * from "./src/xmp/mod.ts";
export { type RegionLabelledPhoto } from "./src/train/region_labels.ts";
