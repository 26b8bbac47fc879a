/**
 * `--help` texts, with examples.
 *
 * @module
 */
import { BACKEND_REQUESTS } from "../backend/backend.ts";
import { DEFAULT_MAX_PIXELS } from "../image/mod.ts";
import { type CommandName, DEFAULTS } from "./args.ts";

const COMMON = `Common options:
  --backend NAME   ${
  BACKEND_REQUESTS.join(" | ")
} (default auto: WebGPU on a hardware GPU, else WASM)
  --cache DIR      cache of faces and embeddings (default $FACEFIT_CACHE or ~/.cache/facefit)
  --no-cache       neither read nor write the cache
  --max-pixels N   refuse images with more pixels, before decoding them (default ${DEFAULT_MAX_PIXELS})
  --workers N      threads that detect faces: this one and N-1 workers that hold the detector
                   only (WASM/CPU backends; default: one per CPU core for the commands that
                   work through a folder)
  --json           print the result as JSON on stdout
  -q, --quiet      no progress output (progress bars are only drawn on a terminal anyway)
  -v, --verbose    every epoch, timings per stage, more detail
  -h, --help       this help

Exit codes: 0 ok, 1 failure (a file or model could not be used), 2 usage error,
130 interrupted (Ctrl-C; train keeps the previous model).`;

const TEXTS: Record<Exclude<CommandName, "tag"> | "main", string> & { tag?: string } = {
  main: `facefit: teach a computer to recognise your people.

Usage: facefit COMMAND [options]     (deno run -A main.ts COMMAND, or deno task COMMAND)

Commands:
  audit      run this first: duplicates, train/val leakage, faces, suspected mislabels
  train      train a recogniser on a folder with one sub-folder of photos per person
  predict    name every face in photos
  evaluate   accuracy and confusion matrix on a labelled folder
  demo       get the FC Barcelona photos, train, evaluate, predict
  cluster    group an unlabelled photo library by person, as folders to name and train on
  tag        name the faces of a photo library into XMP sidecars that photo managers read
  analyze    fill the cache for a photo library, or one shard of it (for batch engines)

Examples:
  deno task demo --from ../shared/datasets/fcbarcelona
  deno task train --data photos/train --val photos/test --model models/friends
  deno run -A main.ts predict party.jpg --model models/friends --json
  deno run -A main.ts evaluate --data photos/test --model models/friends   # then open models/friends/report.html
  deno task cluster ~/Pictures --out people                 # no folders per person yet: group, then rename
  deno task tag ~/Pictures --model models/friends --xmp     # names into XMP sidecars for photo managers

Exit codes: 0 ok, 1 failure (a file or model could not be used), 2 usage error,
130 interrupted (Ctrl-C; train keeps the previous model).
Run "facefit help COMMAND" (or "facefit COMMAND --help") for a command's options.`,
  train: `facefit train: find, align and embed every face, then train the classifier head.

Usage: facefit train [--data DIR] [--val DIR | --val-split F] [--model DIR] [options]

Options:
  --data DIR        photos, one sub-folder per person (default ${DEFAULTS.data})
  --val DIR         validation photos (default ${DEFAULTS.val} when it exists)
  --val-split F     without --val: share of --data held out, stratified (default ${DEFAULTS.valSplit})
  --seed N          seed for the split, shuffles and initial weights (default ${DEFAULTS.seed})
  --model DIR       where to save the model (default ${DEFAULTS.model})
  --epochs N        at most this many epochs (default ${DEFAULTS.epochs}; early stopping ends sooner)
  --batch-size N    (default ${DEFAULTS.batchSize})
  --lr X            learning rate (default ${DEFAULTS.learningRate})
  --patience N      epochs without val_loss improvement before stopping (default ${DEFAULTS.patience})
  --hidden N        hidden units in the head, 0 for a linear head (default ${DEFAULTS.hidden})
  --stranger-acceptance F  most share of strangers each person's threshold may accept
                    (default ${DEFAULTS.strangerAcceptance}; lower: fewer strangers named, more own faces unknown)
  --fine-tune N     then unfreeze the backbone's last N residual stages (0-5) and train them with
                    the head at a low learning rate (default ${DEFAULTS.fineTune}: head only)
  --fine-tune-lr X  learning rate of the fine-tuning phase (default ${DEFAULTS.fineTuneLr})
  --fine-tune-epochs N  at most this many fine-tuning epochs (default ${DEFAULTS.fineTuneEpochs})
  --resume          continue an interrupted run of the same data and settings from its
                    checkpoint (models/.NAME.checkpoint, written after the head phase and
                    every fine-tuning epoch)
  --augment LEVEL   chip augmentation while fine-tuning: none | light | strong (default ${DEFAULTS.augment})
  --report PATH     where to write the HTML report (default MODEL/report.html): curves, confusion
                    matrix, per-person figures, thumbnails of the misclassified and face-less photos
  --labels SOURCE   folders (default): one sub-folder per person; xmp: the named face regions
                    (MWG) in the sidecars and embedded XMP of the photos under --data, at any
                    depth, as digiKam, Lightroom or facefit tag --xmp write them; each region
                    picks the face it covers, and validation is --val-split of the faces

A folder named _unknown/ beside the person folders (in --data or --val) holds photos of other
people: never a person, they teach the head to be unsure and calibrate when to say "unknown".
Each person gets a distance threshold that accepts at most --stranger-acceptance of the strangers
(those faces, and the other people's, each person in turn treated as unknown); facefit.json
explains the choice under "openSet".

${COMMON}

Examples:
  deno task train --data photos/train --val photos/test --model models/friends
  deno task train --data photos --val-split 0.25 --epochs 100 --report friends.html --quiet
  deno task train --labels xmp --data ~/Pictures --model models/family`,
  predict: `facefit predict: name every face in each photo.

Usage: facefit predict PHOTO... [--model DIR] [--threshold D] [--annotate DIR] [--json]

A face is named when it is close enough to the person the head names: within that person's
distance threshold, calibrated at training. Otherwise it is "unknown". The margin is threshold
minus distance: positive when named, and how far from the boundary.

Options:
  --model DIR       the trained model (default ${DEFAULTS.model})
  --threshold D     one distance threshold for everyone instead of each person's (0..2; about 0.3
                    to 0.45 tells faces apart; lower is stricter). For a model trained before
                    per-person thresholds: the probability below which a face is "unknown"
  --annotate DIR    write a JPEG copy of each photo into DIR with every face boxed and named
                    (green: a known person, orange: unknown)

${COMMON}

Examples:
  deno run -A main.ts predict party.jpg --model models/friends --json
  deno run -A main.ts predict photos/*.jpg --model models/friends --annotate out/`,
  evaluate: `facefit evaluate: score a model on a labelled folder.

Usage: facefit evaluate [--data DIR] [--model DIR] [--open-set] [--threshold D] [--report PATH] [--json]

Each photo's prediction is its most confident face; a photo with no face counts as wrong.

Options:
  --data DIR        photos, one sub-folder per person (default ${DEFAULTS.val} if it exists, else ${DEFAULTS.data})
  --model DIR       the trained model (default ${DEFAULTS.model})
  --open-set        also score photos of people the model does not know (any folder that is not
                    one of its people, and _unknown/): accuracy on the known people, rejection of
                    the others, and both along one threshold for everyone (JSON: openSet). A photo
                    names its most confident accepted face, or nobody; no face names nobody.
  --threshold D     one distance threshold for everyone instead of each person's, as in predict
  --report PATH     where to write the HTML report (default MODEL/report.html, replacing the
                    training report there)

${COMMON}

Examples:
  deno run -A main.ts evaluate --data photos/test --model models/friends
  deno run -A main.ts evaluate --data photos/test --model models/friends --report test.html --json
  deno run -A main.ts evaluate --data photos/with-strangers --model models/friends --open-set`,
  audit: `facefit audit: check a photo collection before trusting it.

Usage: facefit audit [--data DIR] [--val DIR] [--fix-split OUT_DIR] [--no-faces] [--json]

Finds unreadable and misnamed files, images too small to use, exact duplicates (same bytes) and
near-duplicates (the same photo re-encoded, resized or cropped: perceptual hashes, and for crops
the face embedding plus a pixel check after aligning the two faces), within a split and from
--data into --val (leakage: the model is scored on photos it trained on), photos without a face or
with several (and which face was taken as the person), tiny faces, faces that sit nearer another
person's photos than their own (suspected mislabels), and photos per person.
Perceptual hashes are cached beside the face cache; a second audit takes seconds.

Options:
  --data DIR        photos, one sub-folder per person (default ${DEFAULTS.data})
  --val DIR         a second split checked against --data (default ${DEFAULTS.val} when it exists)
  --fix-split DIR   write a de-duplicated copy there (DIR/<split folder>/<person>/...): files are
                    copied, never moved; exact copies and photos of --data repeated in --val are
                    left out, and DIR/audit-fix.json lists what was copied and left out
  --no-faces        skip face detection: file, format and duplicate checks only

${COMMON}

Examples:
  deno run -A main.ts audit --data photos/train --val photos/test
  deno run -A main.ts audit --data photos/train --val photos/test --fix-split photos-clean --json`,
  demo: `facefit demo: the FC Barcelona photo set end to end.

Downloads the seed project's archive (Train/ and Test/ of eight players) into data/fcbarcelona,
trains on Train with a validation split from it, evaluates on the unseen Test and predicts one photo.

Usage: facefit demo [--from DIR] [--model DIR] [--seed N]

Options:
  --from DIR        a local copy holding Train/ and Test/ instead of downloading
  --model DIR       where to save the model (default ${DEFAULTS.model})
  --seed N          (default ${DEFAULTS.seed})

${COMMON}

Example:
  deno task demo --from ../shared/datasets/fcbarcelona`,
  analyze:
    `facefit analyze: the map step of a big library. Decodes every photo under LIBRARY (at any
depth), finds, aligns and embeds its faces, and stores the result in the cache, where train,
evaluate and audit find it afterwards without analysing anything.

Usage: facefit analyze LIBRARY [--shard K/N | --shard index/N] [--cache DIR] [--json]

Run N processes with one shared --cache folder, on one machine or many: each takes the photos whose
content hash falls in its shard, so they need no coordination, adding photos moves no other photo,
and byte-identical copies are analysed once. Cache entries are written to a temporary file and
renamed into place, so many writers on a shared file system are safe, a reader never sees half an
entry, and a process killed mid-way loses only the photo it was on: run it again.

Options:
  --shard K/N       analyse shard K of N (K from 0 to N-1)
  --shard index/N   K from the batch engine: JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
                    SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (Slurm job array)

${COMMON}

A photo that cannot be read or decoded is named and skipped; the exit code stays 0, so that a batch
engine does not run a whole shard again for one broken file.

Examples:
  deno task analyze photos --shard 0/3 --cache /shared/facefit-cache
  deno task analyze /data/library --shard index/8 --cache /data/cache --json
  deno task train --data photos --cache /shared/facefit-cache   # the reduce step: nothing to analyse`,
  cluster: `facefit cluster: group the faces of an unlabelled photo library by person.

Finds every face in every photo under LIBRARY (sub-folders too), embeds it, and groups the faces
by identity: a group is at least --min-faces faces linked within --distance of each other, and two
faces of one photo are never in one group. Writes DIR/person_001/ (largest group first), ...,
DIR/_unsorted/ (faces in no group), DIR/clusters.json and DIR/clusters.html. Each entry is a link to
the original photo (originals are never changed); a photo with several faces is linked once per
face, with that face's box in the link's name, and train takes that face.

Rename person_003 to the person's name, then "facefit train --data DIR". Names carry over: a
second run into the same DIR gives each new group the name of the old folder holding most of its
faces.

Usage: facefit cluster LIBRARY --out DIR [--model M] [--min-faces N] [--distance D] [options]

Options:
  --out DIR         output folder (created, or replaced if a previous cluster run wrote it)
  --model M         a trained model: a group most of whose faces it recognises as one of its
                    people (under that person's calibrated threshold) gets that person's name
  --min-faces N     fewest faces in a group (default ${DEFAULTS.clusterMinFaces})
  --distance D      linking distance between two faces' descriptors (default ${DEFAULTS.clusterDistance};
                    larger merges more, look-alikes first)
  --no-page         do not write clusters.html
  --json            print the groups: each face with its file, box and distance to the centroid

${COMMON}

Examples:
  deno run -A main.ts cluster ~/Pictures --out people
  mv people/person_003 people/Grandma && deno task train --data people --model models/family
  deno run -A main.ts cluster ~/Pictures --out people --model models/family`,
};

TEXTS.tag =
  `facefit tag: name the faces of every photo in a library, where photo managers read them.

Usage: facefit tag LIBRARY [--model DIR] [--xmp] [--jsonl FILE|-] [--state FILE | --no-state]

Every photo under LIBRARY (at any depth) is analysed as in evaluate (worker threads, the face
cache) and each face named with the model's per-person thresholds.

Options:
  --model DIR       the trained model (default ${DEFAULTS.model})
  --xmp             merge the named faces into an XMP sidecar beside each photo (photo.jpg.xmp;
                    photo.xmp is read when there is no photo.jpg.xmp, the photo's embedded XMP
                    when there is neither): MWG face regions (mwg-rs:Regions, relative to the
                    stored image as MWG and digiKam have it) and Iptc4xmpExt:PersonInImage.
                    Everything else in the sidecar is kept byte for byte, regions facefit wrote
                    before are replaced, and regions a person drew are kept (a face they cover
                    gets no second region). Unknown faces get no region. Written atomically;
                    photos are never modified.
  --jsonl FILE      one JSON line per photo (file, sha256, size, faces with name, box,
                    distance, ...); "-" for stdout, the default without --xmp
  --state FILE      the record of what was done, for resuming (default LIBRARY/.facefit-tag.jsonl):
                    a second run does only new or changed photos (or all, with another model)
  --no-state        keep no record: every photo is done
  --threshold D     one distance threshold for everyone instead of each person's, as in predict

${COMMON}

Ctrl-C stops after the photos under way; every sidecar is then as it was or complete.

Examples:
  deno run -A main.ts tag ~/Pictures --model models/family --xmp
  deno run -A main.ts tag ~/Pictures --model models/family --jsonl faces.jsonl
  exiftool -struct -j -XMP-mwg-rs:RegionInfo ~/Pictures/party.jpg.xmp`;

/** The help text of the tool or of one command. */
export function helpText(command?: CommandName): string {
  return TEXTS[command ?? "main"]!;
}
