/**
 * The report stage: show what training and evaluation did. A self-contained HTML report (curves,
 * confusion matrix, per-person figures, thumbnails of the photos to look at) and photos with their
 * faces boxed and named.
 *
 * @example Box a face on a generated image
 * ```ts
 * import assert from "node:assert/strict";
 * import { annotateFaces, UNKNOWN_COLOR } from "./mod.ts";
 *
 * const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
 * const out = annotateFaces(image, [{ box: { x: 8, y: 12, width: 12, height: 12 }, name: "unknown" }]);
 * const o = (16 * 32 + 7) * 3; // left of the box
 * assert.deepEqual([...out.data.subarray(o, o + 3)], [...UNKNOWN_COLOR]);
 * ```
 *
 * @module
 */
export {
  annotatedName,
  annotateFaces,
  type AnnotateOptions,
  annotatePhoto,
  type FaceLabel,
  KNOWN_COLOR,
  UNKNOWN_COLOR,
} from "./annotate.ts";
export {
  defaultReportPath,
  evaluationReport,
  type EvaluationReportOptions,
  REPORT_FILE,
  type ReportOptions,
  trainingReport,
  type TrainingReportInput,
  writeReport,
} from "./build.ts";
export type { Rgb } from "./canvas.ts";
export { dataUri, encodeJpeg } from "./encode.ts";
export {
  type HistoryEntry,
  renderReport,
  type ReportData,
  type StrangerFigures,
  type Thumbnail,
} from "./html.ts";
export {
  type ClassFigures,
  type Classification,
  classification,
  type Outcome,
  thresholdCurve,
  type ThresholdPoint,
} from "./stats.ts";
export {
  heatMap,
  lineChart,
  type LineChartOptions,
  type Marker,
  type Series,
} from "./svg_charts.ts";
export { photoThumbnail, thumbnailImage, type ThumbnailOptions } from "./thumbnails.ts";
