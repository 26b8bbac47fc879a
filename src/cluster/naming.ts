/**
 * Names for groups: carried over from a previous run's renamed folders, or given by a trained
 * model. A group without either stays `person_NNN`.
 *
 * **Carry-over**: a person renames `person_003` to `Grandma`. The folder holds links to the
 * original photos (with the face's box in the name where a photo has several faces), so each of
 * its faces is known by its photo's path and box. On the next run, a new group takes the name of
 * the old folder it shares the most faces with, when those shared faces are a majority of the new
 * group or of the old folder. Folders still called `person_NNN` carry nothing.
 *
 * **Model**: with a trained model, a group takes a person's name when most of its faces are
 * recognised as that person, each accepted under the person's calibrated threshold.
 *
 * Either way a name goes to one group only: the one that matches best.
 *
 * @module
 */
import type { Recognizer } from "../head/recognizer.ts";
import { UNKNOWN } from "../head/recognizer.ts";
import { keyOfFace, type PreviousFolder, UNSORTED_FOLDER } from "./layout.ts";
import type { Clustering } from "./library.ts";

/** A folder name that carries no name: the numbered default. */
export const NUMBERED = /^person_\d+$/;

/** One candidate name for one group, with its support. */
interface Match {
  group: number;
  name: string;
  /** Faces of the group that support the name. */
  votes: number;
}

/**
 * Give groups the names of the previous run's folders they match. Changes `clustering.groups`.
 *
 * @returns the names carried, by group index.
 *
 * @example A renamed folder's faces, grouped again, get its name back
 * ```ts
 * import assert from "node:assert/strict";
 * import { carryNames, keyOfFace } from "./mod.ts";
 * import type { Clustering } from "./mod.ts";
 *
 * const face = (file: string) => ({ file, name: file, face: 0, faces: 1, box: { x: 0, y: 0, width: 9, height: 9 } });
 * const clustering = {
 *   faces: ["/p/a.jpg", "/p/b.jpg", "/p/c.jpg"].map(face),
 *   groups: [{ name: "person_001", source: "number", faces: [0, 1, 2], centroid: new Float32Array(2) }],
 * } as unknown as Clustering;
 * const keys = new Set(clustering.faces.slice(0, 2).map(keyOfFace));
 * carryNames(clustering, [{ name: "Grandma", keys }]);
 * assert.equal(clustering.groups[0].name, "Grandma");
 * ```
 */
export function carryNames(clustering: Clustering, previous: readonly PreviousFolder[]): void {
  const matches: Match[] = [];
  const keys = clustering.faces.map(keyOfFace);
  for (const folder of previous) {
    if (NUMBERED.test(folder.name) || folder.name === UNSORTED_FOLDER) continue;
    if (folder.name.startsWith("_") || folder.keys.size === 0) continue;
    clustering.groups.forEach((g, group) => {
      const votes = g.faces.filter((i) => folder.keys.has(keys[i])).length;
      if (votes * 2 > g.faces.length || votes * 2 > folder.keys.size) {
        matches.push({ group, name: folder.name, votes });
      }
    });
  }
  assign(clustering, matches, "carried");
}

/** Options of {@linkcode nameByModel}. */
export interface ModelNamingOptions {
  /** Called after each photo, for progress. */
  onPhoto?: (done: number, total: number) => void;
}

/**
 * Give groups that have no name yet the name of the model's person most of their faces are
 * recognised as. Changes `clustering.groups`.
 *
 * @param recognizer a loaded model; its analyzer finds the photos' faces again (from the cache).
 */
export async function nameByModel(
  clustering: Clustering,
  recognizer: Recognizer,
  options: ModelNamingOptions = {},
): Promise<void> {
  const open = clustering.groups.map((g, i) => [g, i] as const).filter(([g]) =>
    g.source === "number"
  );
  const byFile = new Map<string, { face: number; group: number }[]>();
  for (const [g, group] of open) {
    for (const i of g.faces) {
      const f = clustering.faces[i];
      const list = byFile.get(f.file) ?? [];
      list.push({ face: f.face, group });
      byFile.set(f.file, list);
    }
  }
  const votes = new Map<string, number>(); // "group\tname" -> faces
  let done = 0;
  for (const [file, wanted] of byFile) {
    const recognition = await recognizer.recognizeFile(file);
    for (const { face, group } of wanted) {
      const name = recognition.faces[face]?.name;
      if (name && name !== UNKNOWN) {
        const key = `${group}\t${name}`;
        votes.set(key, (votes.get(key) ?? 0) + 1);
      }
    }
    options.onPhoto?.(++done, byFile.size);
  }
  const matches: Match[] = [];
  for (const [key, count] of votes) {
    const [group, name] = [Number(key.split("\t")[0]), key.split("\t")[1]];
    if (count * 2 > clustering.groups[group].faces.length) {
      matches.push({ group, name, votes: count });
    }
  }
  assign(clustering, matches, "model");
}

/** Best matches first; each name and each group used once; a name already taken is skipped. */
function assign(clustering: Clustering, matches: Match[], source: "carried" | "model"): void {
  const taken = new Set(clustering.groups.filter((g) => g.source !== "number").map((g) => g.name));
  matches.sort((a, b) =>
    b.votes - a.votes || a.group - b.group || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
  for (const m of matches) {
    const g = clustering.groups[m.group];
    if (g.source !== "number" || taken.has(m.name)) continue;
    g.name = m.name;
    g.source = source;
    taken.add(m.name);
  }
  // A numbered folder must not clash with a carried name such as "person_002" kept by hand.
  for (const g of clustering.groups) {
    if (g.source === "number" && taken.has(g.name)) g.name = `${g.name}_new`;
  }
}
