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
 * @module
 */
export { type BackendInfo, type BackendRequest, initBackend } from "./src/backend/backend.ts";
export {
  decodeImage,
  type DecodeOptions,
  ImageDecodeError,
  readImage,
  type RgbImage,
} from "./src/image/mod.ts";
export { type Dataset, type LabelledFile, scanDataset } from "./src/dataset/scan.ts";
export { stratifiedSplit } from "./src/dataset/split.ts";
export { type DetectedFace, type DetectOptions, FaceDetector } from "./src/face/detect.ts";
export { CHIP_SIZE, chipTransform, extractChips } from "./src/face/align.ts";
export type { Box, Point } from "./src/face/geometry.ts";
export { buildBackbone, embed, loadBackbone, setTrainableStages, STAGES } from "./src/embed/mod.ts";
export {
  type AnalyzerConfig,
  FaceAnalyzer,
  type FaceRecord,
  type PhotoRecord,
} from "./src/embed/photo.ts";
export { buildHead, type HeadConfig } from "./src/head/head.ts";
export { loadModel, type ModelInfo, type SavedModel, saveModel } from "./src/head/model_io.ts";
export {
  type Recognition,
  type RecognizedFace,
  type RecognizeOptions,
  Recognizer,
  UNKNOWN,
} from "./src/head/recognizer.ts";
export { train, type TrainOptions, type TrainReport, type TrainResult } from "./src/train/train.ts";
export { EarlyStopping, ReduceLROnPlateau } from "./src/train/callbacks.ts";
export { evaluate, type EvaluateOptions, type EvaluationReport } from "./src/eval/evaluate.ts";
export * from "./src/audit/mod.ts";
