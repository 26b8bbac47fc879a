/**
 * facefit: recognise your people in photos with pretrained face networks and a head trained on
 * your own folder-per-person collection.
 *
 * The stages, in pipeline order: start a backend, decode images, detect and align faces, embed
 * them with the pretrained ResNet, train a classifier head, recognise, evaluate.
 *
 * @example Train on a folder, save, and name the faces of a photo
 * ```ts ignore
 * import { FaceAnalyzer, initBackend, Recognizer, saveModel, train } from "./mod.ts";
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
  scanDataset,
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
// --- photo metadata: XMP face regions (src/xmp) ---
export * from "./src/xmp/mod.ts";
export { type RegionLabelledPhoto } from "./src/train/region_labels.ts";
// --- end photo metadata ---
