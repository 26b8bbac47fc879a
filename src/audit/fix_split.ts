/**
 * Write a de-duplicated copy of a collection's split layout, so that an evaluation on it is
 * honest. The originals are never touched: kept files are copied (plain copies, not links, so
 * editing the copy cannot change an original).
 *
 * What is dropped:
 * - every exact copy but the first (the first split wins, then path order);
 * - every file of a near-duplicate group that sits in a later split than another member of the
 *   group (the same photo in training and validation);
 * - unreadable files.
 *
 * Near-duplicates within one split, mislabel suspects and photos without a face are kept: they
 * are for a person to look at, not for a program to delete.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { AuditReport } from "./audit.ts";
import type { FileRef } from "./exact_duplicates.ts";

/** A file left out of the fixed copy, and why. */
export interface DroppedFile extends FileRef {
  /** Why it was left out. */
  reason: "exact-duplicate" | "near-duplicate" | "unreadable";
  /** The kept file it duplicates. */
  duplicateOf?: string;
  /** For unreadable files: what was wrong. */
  detail?: string;
}

/** What a fix writes. */
export interface FixPlan {
  /** Output folder per split name. */
  folders: Record<string, string>;
  /** Files copied: source and destination. */
  copied: { from: string; to: string; split: string; label: string }[];
  /** Files left out, and why. */
  dropped: DroppedFile[];
}

/**
 * Decide what a fixed copy holds, without writing anything.
 *
 * @param outDir the folder that will hold one sub-folder per split (named like the split's folder).
 */
export function planFixSplit(report: AuditReport, outDir: string): FixPlan {
  const order = report.splits.map((s) => s.name);
  const rank = (split: string) => order.indexOf(split);
  const folders: Record<string, string> = {};
  const used = new Set<string>();
  for (const s of report.splits) {
    let name = basename(resolve(s.root)) || s.name;
    if (used.has(name)) name = s.name;
    used.add(name);
    folders[s.name] = join(outDir, name);
  }
  const dropped = new Map<string, DroppedFile>();
  for (const u of report.unreadable) {
    if (!u.split || !u.label) continue;
    dropped.set(u.path, { ...ref(u), reason: "unreadable", detail: u.reason });
  }
  for (const g of report.exactDuplicates.groups) {
    const keep = [...g.files].sort((a, b) => rank(a.split) - rank(b.split))[0];
    for (const f of g.files) {
      if (f.path !== keep.path && !dropped.has(f.path)) {
        dropped.set(f.path, { ...ref(f), reason: "exact-duplicate", duplicateOf: keep.path });
      }
    }
  }
  for (const g of report.nearDuplicates?.groups ?? []) {
    const first = Math.min(...g.files.map((f) => rank(f.split)));
    const keep = g.files.find((f) => rank(f.split) === first && !dropped.has(f.path)) ??
      g.files.find((f) => rank(f.split) === first)!;
    for (const f of g.files) {
      if (rank(f.split) > first && !dropped.has(f.path)) {
        dropped.set(f.path, { ...ref(f), reason: "near-duplicate", duplicateOf: keep.path });
      }
    }
  }
  const copied: FixPlan["copied"] = [];
  for (const s of report.splits) {
    for (const f of report.files.filter((x) => x.split === s.name)) {
      if (dropped.has(f.path)) continue;
      copied.push({
        from: f.path,
        to: join(folders[s.name], relative(s.root, f.path)),
        split: f.split,
        label: f.label,
      });
    }
  }
  return { folders, copied, dropped: [...dropped.values()] };
}

/**
 * Write the fixed copy: the split folders under `outDir`, and `audit-fix.json` listing what was
 * copied and dropped. Written to a temporary folder beside `outDir` and renamed into place.
 *
 * @throws Error when `outDir` exists, or lies inside one of the split folders (it would audit itself next time).
 */
export async function writeFixedSplit(report: AuditReport, outDir: string): Promise<FixPlan> {
  const target = resolve(outDir);
  for (const s of report.splits) {
    const root = resolve(s.root);
    if (inside(target, root) || inside(root, target)) {
      throw new Error(
        `Output folder "${outDir}" overlaps the split folder "${s.root}"; choose a folder outside the photos`,
      );
    }
  }
  if (await exists(target)) {
    throw new Error(`Output folder "${outDir}" already exists; remove it or choose a new one`);
  }
  const plan = planFixSplit(report, target);
  await Deno.mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    for (const folder of Object.values(plan.folders)) {
      await Deno.mkdir(join(tmp, relative(target, folder)), { recursive: true });
    }
    for (const c of plan.copied) {
      const to = join(tmp, relative(target, c.to));
      await Deno.mkdir(dirname(to), { recursive: true });
      await Deno.copyFile(c.from, to);
    }
    await Deno.writeTextFile(join(tmp, "audit-fix.json"), JSON.stringify(plan, null, 2) + "\n");
    await Deno.rename(tmp, target);
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new Error(
      `Cannot write the fixed copy to "${outDir}": ${
        error instanceof Error ? error.message : error
      }; ` +
        "check free space and permissions",
    );
  }
  return plan;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is `folder` or lies below it. */
function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function ref(f: FileRef): FileRef {
  return { path: f.path, split: f.split, label: f.label };
}
