/**
 * The audit stage: check a folder-per-person photo collection before trusting it.
 *
 * @example Find the validation photos that are copies of training photos
 * ```ts ignore
 * import { auditDataset, FaceAnalyzer } from "../../mod.ts";
 *
 * const analyzer = await FaceAnalyzer.load();
 * const report = await auditDataset(
 *   [{ name: "train", root: "photos/train" }, { name: "val", root: "photos/test" }],
 *   { analyzer },
 * );
 * for (const { file, copyOf } of report.exactDuplicates.crossSplit) console.log(file.path, "=", copyOf.path);
 * for (const pair of report.nearDuplicates?.pairs ?? []) console.log(pair.a.path, "~", pair.b.path);
 * ```
 *
 * @module
 */
export {
  auditDataset,
  type AuditOptions,
  type AuditReport,
  type AuditSplit,
  DEFAULT_AUDIT_OPTIONS,
  type FileIssue,
  type MultiFacePhoto,
  type TinyFace,
} from "./audit.ts";
export {
  type ExactDuplicateGroup,
  type FileRef,
  findExactDuplicates,
  type HashedFile,
} from "./exact_duplicates.ts";
export {
  type FaceGeometry,
  findNearDuplicates,
  type NearDuplicateGroup,
  type NearDuplicateInput,
  type NearDuplicateOptions,
  type NearDuplicatePair,
} from "./near_duplicates.ts";
export {
  findMislabels,
  type LabelledFaces,
  type MislabelCandidate,
  type MislabelOptions,
  type MislabelReport,
} from "./mislabels.ts";
export {
  dHash,
  type EncodedGray,
  type GrayImage,
  type ImageFingerprint,
  pHash,
} from "./perceptual_hash.ts";
export { type DroppedFile, type FixPlan, planFixSplit, writeFixedSplit } from "./fix_split.ts";
