/**
 * `facefit cluster LIBRARY --out DIR`: group an unlabelled library by person and write the groups
 * as a training folder with a page to check them.
 *
 * @module
 */
import { join } from "node:path";
import {
  carryNames,
  type Clustering,
  clusteringJson,
  clusterLibrary,
  CLUSTERS_HTML,
  facesShown,
  faceThumbnails,
  nameByModel,
  readPreviousLayout,
  renderClusterPage,
  UNSORTED_FOLDER,
  writeLayout,
} from "../cluster/mod.ts";
import { FaceAnalyzer } from "../embed/photo.ts";
import { Recognizer } from "../head/recognizer.ts";
import type { ClusterArgs } from "./args.ts";
import { analyzerConfig, peakRssMiB, startBackend } from "./context.ts";
import { cacheLine, formatSeconds, type Reporter } from "./output.ts";

/** Run `cluster`; returns the exit code. */
export async function clusterCommand(args: ClusterArgs, reporter: Reporter): Promise<number> {
  const started = performance.now();
  await startBackend(args, reporter);
  // Read the previous run first: a folder that is not ours is refused before the long part.
  const previous = await readPreviousLayout(args.out);
  const analyzer = await reporter.time(
    "load networks",
    () => FaceAnalyzer.load(analyzerConfig(args, true)),
  );
  let clustering: Clustering;
  try {
    reporter.info(`finding faces in "${args.library}"`);
    clustering = await reporter.time(
      "faces and groups",
      () =>
        clusterLibrary(analyzer, args.library, {
          distance: args.distance,
          minFaces: args.minFaces,
          exclude: [args.out],
          onProgress: (p) => reporter.progress(p),
        }),
    );
    await analyzer.releaseWorkers();
    for (const f of clustering.failed) reporter.skipped(f.path, f.reason);
    reporter.info(cacheLine(analyzer.stats));
    if (previous) carryNames(clustering, previous);
    if (args.model) await nameWithModel(clustering, args, reporter);
    const html = args.page ? await page(analyzer, clustering, reporter) : undefined;
    const json = JSON.stringify(clusteringJson(clustering), null, 2);
    await reporter.time("write", () => writeLayout(args.out, clustering, { json, html }));
    if (args.json) reporter.result(json);
  } finally {
    analyzer.dispose();
  }
  summarise(clustering, args, reporter, (performance.now() - started) / 1000);
  return 0;
}

async function nameWithModel(
  clustering: Clustering,
  args: ClusterArgs,
  reporter: Reporter,
): Promise<void> {
  const recognizer = await Recognizer.load(args.model!, { ...analyzerConfig(args), workers: 1 });
  try {
    await nameByModel(clustering, recognizer, {
      onPhoto: (done, total) => reporter.progress({ step: "names", done, total }),
    });
  } finally {
    recognizer.dispose();
  }
}

async function page(
  analyzer: FaceAnalyzer,
  clustering: Clustering,
  reporter: Reporter,
): Promise<string> {
  const thumbs = await faceThumbnails(analyzer, clustering, facesShown(clustering), {
    onPhoto: (done, total) => reporter.progress({ step: "page", done, total }),
  });
  return renderClusterPage(clustering, thumbs);
}

function summarise(c: Clustering, args: ClusterArgs, reporter: Reporter, seconds: number): void {
  const grouped = c.faces.length - c.unsorted.length;
  reporter.info(
    `${c.photos} photos, ${c.faces.length} faces: ${c.groups.length} groups of ${grouped} faces, ` +
      `${c.unsorted.length} in ${UNSORTED_FOLDER}/, ${c.noFace.length} photo${
        c.noFace.length === 1 ? "" : "s"
      } without a face`,
  );
  for (const g of c.groups.slice(0, args.verbose ? undefined : 12)) {
    const how = g.source === "carried"
      ? " (name carried over)"
      : g.source === "model"
      ? " (named by the model)"
      : "";
    reporter.info(`  ${g.name.padEnd(16)} ${String(g.faces.length).padStart(5)} faces${how}`);
  }
  if (!args.verbose && c.groups.length > 12) {
    reporter.info(`  ... ${c.groups.length - 12} more (--verbose lists them)`);
  }
  for (const m of c.merges.slice(0, 5)) {
    reporter.info(
      `suggested merge: ${c.groups[m.a].name} and ${c.groups[m.b].name} ` +
        `(centroids ${m.distance.toFixed(3)} apart)`,
    );
  }
  reporter.info(
    `wrote "${args.out}"` + (args.page ? `; open ${join(args.out, CLUSTERS_HTML)}` : "") +
      `; rename a person_NNN folder to the person's name, then ` +
      `"facefit train --data ${args.out}"`,
  );
  reporter.timing("cluster", seconds);
  if (args.verbose) reporter.info(`peak memory ${peakRssMiB()} MiB, ${formatSeconds(seconds)}`);
}
