/**
 * Exact duplicates: files with the same bytes (same SHA-256). A copy in both the training and the
 * validation split is leakage: the model is scored on a photo it trained on.
 *
 * @module
 */

/** A file as the duplicate finders see it. */
export interface HashedFile {
  /** The file. */
  path: string;
  /** The split it belongs to. */
  split: string;
  /** Its person folder. */
  label: string;
  /** SHA-256 of its bytes, hex. */
  sha256: string;
}

/** A file named in a finding. */
export interface FileRef {
  /** The file. */
  path: string;
  /** The split it belongs to. */
  split: string;
  /** Its person folder. */
  label: string;
}

/** Files with identical bytes. */
export interface ExactDuplicateGroup {
  /** The bytes' SHA-256, hex. */
  sha256: string;
  /** Two or more files, in input order. */
  files: FileRef[];
  /** The splits the copies sit in, in first-seen order; more than one means leakage. */
  splits: string[];
  /** The person folders the copies sit in; more than one means at least one label is wrong. */
  labels: string[];
}

/**
 * Group files by content hash; only groups of two or more are returned, in order of their first
 * file. Files without a hash (unreadable) are left out.
 */
export function findExactDuplicates(files: readonly HashedFile[]): ExactDuplicateGroup[] {
  const groups = new Map<string, FileRef[]>();
  for (const f of files) {
    if (!f.sha256) continue;
    const list = groups.get(f.sha256) ?? [];
    list.push({ path: f.path, split: f.split, label: f.label });
    groups.set(f.sha256, list);
  }
  const out: ExactDuplicateGroup[] = [];
  for (const [sha256, list] of groups) {
    if (list.length < 2) continue;
    out.push({
      sha256,
      files: list,
      splits: [...new Set(list.map((f) => f.split))],
      labels: [...new Set(list.map((f) => f.label))],
    });
  }
  return out;
}

/**
 * The files that leak from one split into another: every copy, outside the first split a group's
 * content appears in, of content that appears in an earlier split.
 *
 * @param splitOrder the splits in priority order (e.g. `["train", "val"]`); copies are charged to the later split.
 */
export function crossSplitCopies(
  groups: readonly ExactDuplicateGroup[],
  splitOrder: readonly string[],
): { file: FileRef; copyOf: FileRef }[] {
  const rank = (s: string) => {
    const i = splitOrder.indexOf(s);
    return i < 0 ? splitOrder.length : i;
  };
  const out: { file: FileRef; copyOf: FileRef }[] = [];
  for (const g of groups) {
    if (g.splits.length < 2) continue;
    const first = Math.min(...g.files.map((f) => rank(f.split)));
    const original = g.files.find((f) => rank(f.split) === first)!;
    for (const f of g.files) if (rank(f.split) > first) out.push({ file: f, copyOf: original });
  }
  return out;
}
