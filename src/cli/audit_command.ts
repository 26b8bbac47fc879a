/**
 * `facefit audit`: check a photo collection before training on it or trusting a score on it, and
 * optionally write a de-duplicated copy of its splits. Also the one-line audit that `train` prints.
 *
 * @module
 */
import { dirname, relative, resolve, sep as SEPARATOR } from "node:path";
import { auditDataset, type AuditReport, trainValSplits } from "../audit/audit.ts";
import type { FileRef } from "../audit/exact_duplicates.ts";
import { type FixPlan, writeFixedSplit } from "../audit/fix_split.ts";
import { FaceAnalyzer } from "../embed/photo.ts";
import type { AuditArgs } from "./args.ts";
import { analyzerConfig, startBackend } from "./context.ts";
import type { Reporter } from "./output.ts";

/** Entries shown per list in text output unless --verbose. */
const LIST_LIMIT = 10;

/** Run `audit`; returns the exit code (0 whatever it finds: findings are not failures). */
export async function auditCommand(args: AuditArgs, reporter: Reporter): Promise<number> {
  const started = performance.now();
  let analyzer: FaceAnalyzer | undefined;
  let loadSeconds = 0;
  if (args.faces) {
    await startBackend(args, reporter);
    analyzer = await FaceAnalyzer.load(analyzerConfig(args, true));
    loadSeconds = (performance.now() - started) / 1000;
  }
  let report: AuditReport;
  try {
    report = await auditDataset(trainValSplits(args.data, args.val), {
      analyzer,
      cacheDir: args.cache,
      decode: { maxPixels: args.maxPixels },
      onProgress: (p) => reporter.progress(p),
    });
  } finally {
    analyzer?.dispose();
  }
  const fix = args.fixSplit === undefined
    ? undefined
    : await writeFixedSplit(report, args.fixSplit);
  if (args.json) {
    const { files: _files, ...rest } = report;
    reporter.result(
      JSON.stringify({ ...rest, fixSplit: fix && { out: args.fixSplit, ...fix } }, null, 2),
    );
  } else {
    printAudit(reporter, report, args.verbose ? Infinity : LIST_LIMIT);
    if (fix) printFix(reporter, fix, args.fixSplit!);
  }
  const t = report.timings;
  reporter.info(
    `timings: ${args.faces ? `load networks ${s(loadSeconds)}, ` : ""}scan ${s(t.scan)}, ` +
      `read+hash ${s(t.hashes)}, faces ${s(t.faces)}, checks ${s(t.checks)}; ` +
      `${s((performance.now() - started) / 1000)} in all` +
      ` (cache: hashes ${report.cache.fingerprints.hits} hits / ${report.cache.fingerprints.misses} misses` +
      (report.cache.faces
        ? `, faces ${report.cache.faces.hits} / ${report.cache.faces.misses}`
        : "") +
      ")",
  );
  return 0;
}

/**
 * The one-line audit `train` prints: only the cheap checks (exact duplicates by content hash), plus
 * the face counts training found, and the command that shows everything.
 */
export async function trainAuditLine(
  splits: { data: string; val?: string },
  faces: { noFace: number; multiFace: number },
): Promise<string> {
  const { data, val } = splits;
  const report = await auditDataset(trainValSplits(data, val), {
    fingerprints: false,
    cacheDir: false,
  });
  const cross = report.exactDuplicates.crossSplit.length;
  const within = report.exactDuplicates.redundant - cross;
  const command = `facefit audit --data ${quote(data)}${
    val === undefined ? "" : ` --val ${quote(val)}`
  }`;
  return `audit: ${val === undefined ? "" : `${cross} exact duplicate(s) across train/val, `}` +
    `${within} redundant ${
      within === 1 ? "copy" : "copies"
    } within a split, ${report.unreadable.length} unreadable, ` +
    `${faces.noFace} without a face, ${faces.multiFace} with several faces; ` +
    `run "${command}" for near-duplicates, suspected mislabels and the full list`;
}

/** The text report. */
function printAudit(reporter: Reporter, r: AuditReport, limit = LIST_LIMIT): void {
  const out = (line: string) => reporter.result(line);
  const base = commonFolder(r.splits.map((x) => x.root));
  const name = (f: FileRef | string) => relative(base, typeof f === "string" ? f : f.path);
  const list = <T>(items: readonly T[], line: (item: T) => string) => {
    for (const item of items.slice(0, limit)) out(`  ${line(item)}`);
    if (items.length > limit) {
      out(`  ... and ${items.length - limit} more (--verbose or --json lists all)`);
    }
  };
  const total = r.splits.reduce((n, s) => n + s.files, 0);
  const splitLine = (s: AuditReport["splits"][number]) =>
    `${s.name} "${show(s.root)}" (${s.files} files, ${s.people.length} people)`;
  out(
    `audit of ${r.splits.map(splitLine).join(" and ")}; paths below are relative to "${
      show(base)
    }"`,
  );

  out("");
  const formats = Object.entries(r.formats).map(([f, n]) => `${f} ${n}`).join(", ");
  out(`files: ${total} (${formats}); ${r.unreadable.length} unreadable`);
  list(r.unreadable, (u) => `unreadable: ${name(u.path)}: ${u.reason}`);
  list(r.misnamed, (m) =>
    `misnamed: ${name(m)} holds ${m.format.toUpperCase()} but ` +
    (m.extension === "(none)" ? "has no extension" : `is named ${m.extension}`));
  if (r.small) {
    out(`small images (shorter side < ${r.options.minImageSide} px): ${r.small.length}`);
    list(r.small, (x) => `${name(x)} ${x.width}x${x.height}`);
  }
  for (const w of r.warnings) out(`  warning: ${w}`);

  out("");
  const ex = r.exactDuplicates;
  out(
    `exact duplicates (same bytes): ${ex.groups.length} group(s), ${ex.redundant} redundant file(s); ` +
      `${ex.crossSplit.length} in a later split copy an earlier one${
        ex.crossSplit.length ? " (leakage: scores are inflated)" : ""
      }`,
  );
  for (const g of ex.groups) {
    const where = g.splits.length > 1 ? "across splits" : g.splits[0];
    const labels = g.labels.length > 1
      ? `  (filed under ${g.labels.join(" and ")}: at most one is right)`
      : "";
    out(`  [${where}] ${g.files.map(name).join(" = ")}${labels}`);
  }

  out("");
  if (r.nearDuplicates) {
    const nd = r.nearDuplicates;
    out(
      `near-duplicates (same photo re-encoded, resized or cropped): ${nd.pairs.length} pair(s) in ` +
        `${nd.groups.length} group(s), ${nd.crossSplit} across splits`,
    );
    const sorted = [...nd.pairs].sort((a, b) => Number(b.crossSplit) - Number(a.crossSplit));
    list(
      sorted,
      (p) =>
        `[${p.crossSplit ? "across splits" : p.a.split}] ${name(p.a)} ~ ${name(p.b)}  (` +
        (p.via === "hash"
          ? `whole picture: dHash ${p.dHash}, pHash ${p.pHash} bits apart`
          : `same face ${p.faceDistance} apart, aligned pixels correlate ${p.correlation}`) +
        ")",
    );
  } else {
    out("near-duplicates: not checked (photos were not decoded)");
  }

  out("");
  if (r.faces) {
    const f = r.faces;
    out(
      `faces: ${f.noFace.length} photo(s) without a face, ${f.multiFace.length} with several, ` +
        `${f.unmatched.length} where no face looks like the person, ` +
        `${f.tiny.length} whose person's face is under ${r.options.minFaceSide} px`,
    );
    list(f.noFace, (x) => `no face: ${name(x)}`);
    list(f.multiFace, (x) =>
      `several: ${name(x)}: ${x.faces} faces, ` +
      (x.chosen >= 0 ? `face ${x.chosen} chosen as ${x.label} at ${box(x.box!)}` : "none chosen"));
    list(
      f.unmatched,
      (x) => `no match: ${name(x)}: no face near ${x.label}'s other photos; not used for training`,
    );
    list(f.tiny, (x) => `tiny: ${name(x)}: face ${x.face} at ${box(x.box)}`);
    const m = r.mislabels ?? [];
    const suspected = m.filter((c) => c.level === "suspected");
    const outliers = m.filter((c) => c.level === "outlier");
    out(
      `mislabels: ${suspected.length} suspected (face much nearer another person, whose photos agree); ` +
        `${outliers.length} outlier(s) nearer another person's average face (often an unusual pose: worth a look)`,
    );
    const line = (c: typeof m[number]) =>
      `${c.level}: ${
        name(c.file)
      }: face ${c.face} is ${c.nearest.distance} from ${c.nearest.label}, ` +
      `${c.ownDistance} from ${c.file.label}; ${c.votes} of its nearest photos show ${c.nearest.label}`;
    for (const c of suspected) out(`  ${line(c)}`);
    list(outliers, line);
  } else {
    out("faces: not checked (--no-faces)");
  }

  out("");
  const b = r.balance;
  const splits = r.splits.map((s) => s.name);
  out(`balance: ${r.faces ? "usable photos" : "readable photos"} per person`);
  const width = Math.max(6, ...Object.keys(b.counts).map((l) => l.length));
  out(`  ${"person".padEnd(width)} ${splits.map((s) => s.padStart(6)).join(" ")}`);
  for (const [label, counts] of Object.entries(b.counts)) {
    out(`  ${label.padEnd(width)} ${splits.map((s) => String(counts[s]).padStart(6)).join(" ")}`);
  }
  out(`  largest/smallest in ${splits[0]}: ${b.ratio}`);
  for (const t of b.tooFew) {
    out(
      `  too few: ${t.label} has ${t.count} in ${t.split}` +
        (t.split === splits[0] ? ` (fewer than ${r.options.minPhotos}: add photos)` : ""),
    );
  }
}

function printFix(reporter: Reporter, fix: FixPlan, outDir: string): void {
  reporter.result("");
  reporter.result(
    `wrote a de-duplicated copy to "${outDir}": ${fix.copied.length} files copied, ${fix.dropped.length} left out ` +
      `(list in ${show(`${outDir}/audit-fix.json`)})`,
  );
  for (const [split, folder] of Object.entries(fix.folders)) {
    reporter.result(`  ${split}: ${show(folder)}`);
  }
}

/** The deepest folder holding all the given folders. */
function commonFolder(folders: readonly string[]): string {
  const parts = folders.map((f) => resolve(f).split(SEPARATOR));
  const common: string[] = [];
  for (let i = 0; i < parts[0].length; i++) {
    if (parts.some((p) => p[i] !== parts[0][i])) break;
    common.push(parts[0][i]);
  }
  // A single split: its own parent, so that paths still start with the split's folder name.
  const base = common.join(SEPARATOR) || SEPARATOR;
  return folders.length === 1 ? dirname(base) : base;
}

/** A path relative to the working folder when that is shorter. */
function show(path: string): string {
  const rel = relative(Deno.cwd(), path);
  return rel.length < path.length ? rel : path;
}

function box(b: { x: number; y: number; width: number; height: number }): string {
  return `(${Math.round(b.x)},${Math.round(b.y)}) ${Math.round(b.width)}x${Math.round(b.height)}`;
}

function s(seconds: number): string {
  return `${seconds.toFixed(1)}s`;
}

function quote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `"${path.replaceAll('"', '\\"')}"`;
}
