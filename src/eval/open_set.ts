/**
 * Open-set figures: how well a model names the people it knows while turning away the people it
 * does not, at its own per-person thresholds and along one threshold for everyone.
 *
 * A photo names the person of its most confident accepted face (largest margin), or nobody when
 * no face is accepted. A photo of a known person is right when it names that person; a photo of
 * someone else is rejected when it names nobody. A photo without a face, or one that cannot be
 * read, names nobody: wrong for a known person, a rejection for a stranger.
 *
 * @module
 */
import type { RecognizedFace } from "../head/recognizer.ts";

/** The answer of a photo that names nobody. */
export const NOBODY = "unknown";

/** One photo's open-set outcome. */
export interface OpenSetOutcome {
  /** The photo file. */
  path: string;
  /** The photo's folder: a person of the model, or someone it does not know. */
  label: string;
  /** Whether `label` is one of the model's people. */
  known: boolean;
  /** The person the photo names, or {@linkcode NOBODY}. */
  answer: string;
  /** Margin of the face that gave the answer; of the most confident face when none is accepted. */
  margin?: number;
  /** The face nearest its best guess's centroid: what one threshold for everyone would judge. */
  nearest?: { bestGuess: string; distance: number };
  /** How many faces were found. */
  faces: number;
}

/** One point of the open-set curve. */
export interface OpenSetPoint {
  /** One distance threshold for every person. */
  threshold: number;
  /** Share of the known people's photos named right. */
  knownAccuracy: number;
  /** Share of the other people's photos that name nobody. */
  rejection: number;
}

/** Open-set figures of an evaluation. */
export interface OpenSetReport {
  /** How photos are scored, in words. */
  definition: string;
  /** Photos of the model's people. */
  known: { total: number; correct: number; accuracy: number; rejected: number };
  /** Photos of anyone else: folders that are not the model's people, and `_unknown/`. */
  unknown: {
    total: number;
    rejected: number;
    /** rejected / total. */
    rejection: number;
    /** Whom the accepted strangers were taken for, with counts. */
    takenFor: Record<string, number>;
  };
  /** Per folder of unknown people: photos and rejections. */
  unknownFolders: Record<string, { total: number; rejected: number }>;
  /** Known accuracy and rejection along one threshold for everyone (what `--threshold` sets). */
  curve: OpenSetPoint[];
  /** Every photo's outcome. */
  photos: OpenSetOutcome[];
}

/** The curve's thresholds: distances between unit embeddings, where faces are told apart. */
export const CURVE = { from: 0.1, to: 0.7, step: 0.005 } as const;

/** Scoring text stored with the figures. */
export const OPEN_SET_DEFINITION =
  "A photo names the person of its most confident accepted face, or nobody when no face is " +
  "accepted. known.accuracy: photos of the model's people that name their person. " +
  "unknown.rejection: photos of anyone else that name nobody. A photo without a face or " +
  "unreadable names nobody. curve: the same with one distance threshold for every person.";

/**
 * A photo's outcome from its recognised faces (empty for no face or an unreadable file).
 */
export function openSetOutcome(
  photo: { path: string; label: string; known: boolean },
  faces: readonly RecognizedFace[],
): OpenSetOutcome {
  let top: RecognizedFace | undefined;
  for (const f of faces) if (top === undefined || f.margin > top.margin) top = f;
  let nearest: OpenSetOutcome["nearest"];
  for (const f of faces) {
    if (f.distance !== undefined && (nearest === undefined || f.distance < nearest.distance)) {
      nearest = { bestGuess: f.bestGuess, distance: f.distance };
    }
  }
  return {
    ...photo,
    answer: top && top.margin >= 0 ? top.name : NOBODY,
    ...(top ? { margin: round4(top.margin) } : {}),
    ...(nearest ? { nearest: { ...nearest, distance: round4(nearest.distance) } } : {}),
    faces: faces.length,
  };
}

/** Figures over the outcomes, with the curve from `CURVE.from` to `CURVE.to`. */
export function openSetFigures(photos: readonly OpenSetOutcome[]): OpenSetReport {
  const knownPhotos = photos.filter((p) => p.known);
  const strangers = photos.filter((p) => !p.known);
  const correct = knownPhotos.filter((p) => p.answer === p.label).length;
  const rejected = strangers.filter((p) => p.answer === NOBODY).length;
  const takenFor: Record<string, number> = {};
  const unknownFolders: OpenSetReport["unknownFolders"] = {};
  for (const p of strangers) {
    const folder = unknownFolders[p.label] ??= { total: 0, rejected: 0 };
    folder.total++;
    if (p.answer === NOBODY) folder.rejected++;
    else takenFor[p.answer] = (takenFor[p.answer] ?? 0) + 1;
  }
  const steps = Math.round((CURVE.to - CURVE.from) / CURVE.step);
  const curve = Array.from({ length: steps + 1 }, (_, i) => {
    const threshold = round4(CURVE.from + i * CURVE.step);
    const names = (p: OpenSetOutcome) =>
      p.nearest && p.nearest.distance <= threshold ? p.nearest.bestGuess : NOBODY;
    return {
      threshold,
      knownAccuracy: share(knownPhotos.filter((p) => names(p) === p.label).length, knownPhotos),
      rejection: share(strangers.filter((p) => names(p) === NOBODY).length, strangers),
    };
  });
  return {
    definition: OPEN_SET_DEFINITION,
    known: {
      total: knownPhotos.length,
      correct,
      accuracy: share(correct, knownPhotos),
      rejected: knownPhotos.filter((p) => p.answer === NOBODY).length,
    },
    unknown: { total: strangers.length, rejected, rejection: share(rejected, strangers), takenFor },
    unknownFolders,
    curve,
    photos: [...photos],
  };
}

function share(n: number, of: readonly unknown[]): number {
  return of.length > 0 ? round4(n / of.length) : 0;
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
