/**
 * Turn the command line into one typed command. Pure: no I/O, so it is unit-tested directly.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseShard, type Shard } from "../analyze/shard.ts";
import { BACKEND_REQUESTS, type BackendRequest } from "../backend/backend.ts";
import { DEFAULT_MAX_PIXELS } from "../image/mod.ts";
import { AUGMENT_LEVELS, type AugmentLevel } from "../train/augment.ts";

/** Options every command takes. */
export interface CommonArgs {
  backend: BackendRequest;
  /** Cache folder; undefined: the default; false: no cache. */
  cache: string | false | undefined;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
  /** Worker threads for detection and embedding; undefined: chosen by the command. */
  workers: number | undefined;
  /** Images with more pixels are refused before they are decoded. */
  maxPixels: number;
}

/** `facefit train` */
export interface TrainArgs extends CommonArgs {
  kind: "train";
  data: string;
  /** Validation folder; undefined: split `valSplit` off `data`. */
  val: string | undefined;
  valSplit: number;
  seed: number;
  model: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  hidden: number;
  /** Most share of strangers a person's threshold may accept (open-set calibration target). */
  strangerAcceptance: number;
  /** Backbone stages to fine-tune after the head (0: head only). */
  fineTune: number;
  /** Learning rate of the fine-tuning phase. */
  fineTuneLr: number;
  /** Most epochs of the fine-tuning phase. */
  fineTuneEpochs: number;
  /** Continue an interrupted run from its checkpoint. */
  resume: boolean;
  /** Augmentation of the chips while fine-tuning. */
  augment: AugmentLevel;
  /** Where to write the HTML report; undefined: report.html in the model folder. */
  report: string | undefined;
  /** Where the names come from: person folders (undefined too), or a library's XMP face regions. */
  labels?: LabelSource;
}

/** `facefit predict FILE...` */
export interface PredictArgs extends CommonArgs {
  kind: "predict";
  files: string[];
  model: string;
  /** One threshold for everyone: a distance to the centroid, or a probability for older models. */
  threshold: number | undefined;
  /** Folder for copies of the photos with every face boxed and named; undefined: none. */
  annotate: string | undefined;
}

/** `facefit evaluate` */
export interface EvaluateArgs extends CommonArgs {
  kind: "evaluate";
  data: string;
  model: string;
  /** Also score folders of people the model does not know (known accuracy, rejection, curve). */
  openSet: boolean;
  /** One threshold for everyone instead of the model's per-person ones. */
  threshold: number | undefined;
  /** Where to write the HTML report; undefined: report.html in the model folder. */
  report: string | undefined;
}

/** `facefit demo` */
export interface DemoArgs extends CommonArgs {
  kind: "demo";
  /** A local copy of the FC Barcelona set (with Train/ and Test/); undefined: download it. */
  from: string | undefined;
  model: string;
  seed: number;
}

/** `facefit audit` */
export interface AuditArgs extends CommonArgs {
  kind: "audit";
  data: string;
  /** A second split to check for leakage; undefined: only `data`. */
  val: string | undefined;
  /** Write a de-duplicated copy of the splits there; undefined: none. */
  fixSplit: string | undefined;
  /** Detect and embed faces (false with --no-faces: file and duplicate checks only). */
  faces: boolean;
}

/** `facefit analyze LIBRARY`: the map step that fills the cache, alone or as one shard of many. */
export interface AnalyzeArgs extends CommonArgs {
  kind: "analyze";
  /** The photo library (every photo under it, at any depth). */
  library: string;
  /** The shard to analyse; undefined: every photo. */
  shard: Shard | undefined;
}
/** `facefit cluster LIBRARY --out DIR` */
export interface ClusterArgs extends CommonArgs {
  kind: "cluster";
  /** The unlabelled photo library (searched recursively). */
  library: string;
  /** The output folder: one sub-folder per group, `_unsorted/`, clusters.json and clusters.html. */
  out: string;
  /** A trained model whose people name the groups they match; undefined: none. */
  model: string | undefined;
  /** Fewest faces in a group. */
  minFaces: number;
  /** Linking distance between two faces' descriptors. */
  distance: number;
  /** Write clusters.html (false with --no-page). */
  page: boolean;
}
/** Where `train` takes its names from. */
export const LABEL_SOURCES = ["folders", "xmp"] as const;
/** A label source. */
export type LabelSource = typeof LABEL_SOURCES[number];

/** `facefit tag LIBRARY` */
export interface TagArgs extends CommonArgs {
  kind: "tag";
  /** The photo library, searched recursively. */
  library: string;
  model: string;
  /** Write an XMP sidecar beside each photo. */
  xmp: boolean;
  /** Where to stream one JSON line per photo: a file, "-" for stdout, undefined for none. */
  jsonl: string | undefined;
  /** State file for resuming; undefined: LIBRARY/.facefit-tag.jsonl; false: none. */
  state: string | false | undefined;
  /** One threshold for everyone instead of the model's per-person ones. */
  threshold: number | undefined;
}

/** `facefit help [COMMAND]` or `--help` */
export interface HelpArgs {
  kind: "help";
  command: CommandName | undefined;
}

/** Any parsed command line. */
export type Command =
  | TrainArgs
  | PredictArgs
  | EvaluateArgs
  | DemoArgs
  | AuditArgs
  | AnalyzeArgs
  | ClusterArgs
  | TagArgs
  | HelpArgs;

/** The commands, in the order `--help` lists them. */
export const COMMANDS = [
  "train",
  "predict",
  "evaluate",
  "demo",
  "audit",
  "cluster",
  "tag",
  "analyze",
] as const;
/** A command name. */
export type CommandName = typeof COMMANDS[number];

/** A bad command line: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Default values, shown by `--help`. */
export const DEFAULTS = {
  data: "data/train",
  val: "data/test",
  valSplit: 0.2,
  seed: 42,
  model: "models/facefit",
  epochs: 300,
  batchSize: 32,
  learningRate: 0.01,
  patience: 25,
  hidden: 0,
  strangerAcceptance: 0.05,
  fineTune: 0,
  fineTuneLr: 1e-4,
  fineTuneEpochs: 15,
  augment: "light",
  clusterDistance: 0.4,
  clusterMinFaces: 3,
} as const;

const COMMON_OPTIONS = {
  backend: { type: "string" },
  cache: { type: "string" },
  "no-cache": { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  json: { type: "boolean" },
  workers: { type: "string" },
  "max-pixels": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const OPTIONS = {
  audit: {
    ...COMMON_OPTIONS,
    data: { type: "string" },
    val: { type: "string" },
    "fix-split": { type: "string" },
    "no-faces": { type: "boolean" },
  },
  train: {
    ...COMMON_OPTIONS,
    data: { type: "string" },
    val: { type: "string" },
    "val-split": { type: "string" },
    seed: { type: "string" },
    model: { type: "string" },
    epochs: { type: "string" },
    "batch-size": { type: "string" },
    lr: { type: "string" },
    patience: { type: "string" },
    hidden: { type: "string" },
    "stranger-acceptance": { type: "string" },
    "fine-tune": { type: "string" },
    "fine-tune-lr": { type: "string" },
    "fine-tune-epochs": { type: "string" },
    resume: { type: "boolean" },
    augment: { type: "string" },
    report: { type: "string" },
    labels: { type: "string" },
  },
  predict: {
    ...COMMON_OPTIONS,
    model: { type: "string" },
    threshold: { type: "string" },
    annotate: { type: "string" },
  },
  evaluate: {
    ...COMMON_OPTIONS,
    data: { type: "string" },
    model: { type: "string" },
    "open-set": { type: "boolean" },
    threshold: { type: "string" },
    report: { type: "string" },
  },
  cluster: {
    ...COMMON_OPTIONS,
    out: { type: "string" },
    model: { type: "string" },
    "min-faces": { type: "string" },
    distance: { type: "string" },
    "no-page": { type: "boolean" },
  },
  demo: {
    ...COMMON_OPTIONS,
    from: { type: "string" },
    model: { type: "string" },
    seed: { type: "string" },
  },
  analyze: {
    ...COMMON_OPTIONS,
    shard: { type: "string" },
  },
  tag: {
    ...COMMON_OPTIONS,
    model: { type: "string" },
    xmp: { type: "boolean" },
    jsonl: { type: "string" },
    state: { type: "string" },
    "no-state": { type: "boolean" },
    threshold: { type: "string" },
  },
} as const;

/** Commands that take positional arguments (photos, a library). */
const POSITIONAL: readonly CommandName[] = ["predict", "analyze", "cluster", "tag"];

/**
 * Parse a command line.
 *
 * @param argv the arguments after the program name.
 * @param exists tells whether a path exists; used for the `--val data/test` default.
 * @throws UsageError naming the bad argument and the valid choices.
 */
export function parseCommand(
  argv: readonly string[],
  exists: (path: string) => boolean = () => false,
  env: (name: string) => string | undefined = () => undefined,
): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" ? rest[0] : undefined;
    if (topic !== undefined && !isCommand(topic)) throw unknownCommand(topic);
    return { kind: "help", command: topic as CommandName | undefined };
  }
  if (!isCommand(name)) throw unknownCommand(name);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...rest],
      options: OPTIONS[name],
      allowPositionals: POSITIONAL.includes(name),
      strict: true,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (error) {
    throw parseError(error as Error & { code?: string }, name);
  }
  if (values.help) return { kind: "help", command: name };
  const common = commonArgs(values);
  switch (name) {
    case "train": {
      const data = str(values.data) ?? DEFAULTS.data;
      const labels = labelSource(values.labels);
      if (labels === "xmp" && values.val !== undefined) {
        throw new UsageError(
          "--labels xmp validates on a split of the library's faces (--val-split): drop --val",
        );
      }
      return {
        kind: "train",
        ...common,
        data,
        val: labels === "xmp" ? undefined : str(values.val) ??
          (exists(DEFAULTS.val) && data === DEFAULTS.data ? DEFAULTS.val : undefined),
        valSplit: num(values["val-split"], "--val-split", DEFAULTS.valSplit, 0, 0.9),
        seed: int(values.seed, "--seed", DEFAULTS.seed, 0),
        model: str(values.model) ?? DEFAULTS.model,
        epochs: int(values.epochs, "--epochs", DEFAULTS.epochs, 1),
        batchSize: int(values["batch-size"], "--batch-size", DEFAULTS.batchSize, 1),
        learningRate: num(values.lr, "--lr", DEFAULTS.learningRate, 1e-8, 10),
        patience: int(values.patience, "--patience", DEFAULTS.patience, 1),
        hidden: int(values.hidden, "--hidden", DEFAULTS.hidden, 0),
        strangerAcceptance: num(
          values["stranger-acceptance"],
          "--stranger-acceptance",
          DEFAULTS.strangerAcceptance,
          0,
          1,
        ),
        fineTune: intRange(values["fine-tune"], "--fine-tune", DEFAULTS.fineTune, 0, 5),
        fineTuneLr: num(values["fine-tune-lr"], "--fine-tune-lr", DEFAULTS.fineTuneLr, 1e-8, 1),
        fineTuneEpochs: int(
          values["fine-tune-epochs"],
          "--fine-tune-epochs",
          DEFAULTS.fineTuneEpochs,
          1,
        ),
        resume: values.resume === true,
        augment: augmentLevel(values.augment),
        report: path(values.report, "--report"),
        labels,
      };
    }
    case "predict": {
      if (positionals.length === 0) {
        throw new UsageError(
          "predict needs at least one photo: facefit predict PHOTO... [--model DIR]",
        );
      }
      return {
        kind: "predict",
        ...common,
        files: positionals,
        model: str(values.model) ?? DEFAULTS.model,
        threshold: threshold(values.threshold),
        annotate: path(values.annotate, "--annotate"),
      };
    }
    case "evaluate":
      return {
        kind: "evaluate",
        ...common,
        data: str(values.data) ?? (exists(DEFAULTS.val) ? DEFAULTS.val : DEFAULTS.data),
        model: str(values.model) ?? DEFAULTS.model,
        openSet: values["open-set"] === true,
        threshold: threshold(values.threshold),
        report: path(values.report, "--report"),
      };
    case "audit": {
      const data = str(values.data) ?? DEFAULTS.data;
      return {
        kind: "audit",
        ...common,
        data,
        val: str(values.val) ??
          (exists(DEFAULTS.val) && data === DEFAULTS.data ? DEFAULTS.val : undefined),
        fixSplit: str(values["fix-split"]),
        faces: values["no-faces"] !== true,
      };
    }
    case "cluster":
      return clusterArgs(common, values, positionals);
    case "tag":
      return tagArgs(values, positionals, common);
    case "demo":
      return {
        kind: "demo",
        ...common,
        from: str(values.from),
        model: str(values.model) ?? DEFAULTS.model,
        seed: int(values.seed, "--seed", DEFAULTS.seed, 0),
      };
    case "analyze": {
      if (positionals.length !== 1) {
        throw new UsageError(
          `analyze takes one photo library, got ${positionals.length}: ` +
            "facefit analyze LIBRARY [--shard K/N] [--cache DIR]",
        );
      }
      if (common.cache === false) {
        throw new UsageError("analyze fills the cache: --no-cache leaves it nothing to do");
      }
      return {
        kind: "analyze",
        ...common,
        library: positionals[0],
        shard: shard(values.shard, env),
      };
    }
  }
}

function shard(
  v: string | boolean | undefined,
  env: (name: string) => string | undefined,
): Shard | undefined {
  if (v === undefined) return undefined;
  try {
    return parseShard(String(v), env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function clusterArgs(
  common: CommonArgs,
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
): ClusterArgs {
  if (positionals.length !== 1) {
    throw new UsageError(
      `cluster takes one photo library, got ${positionals.length}: ` +
        "facefit cluster LIBRARY --out DIR [--model M]",
    );
  }
  const out = path(values.out, "--out");
  if (out === undefined) {
    throw new UsageError(
      "cluster needs --out DIR: the folder to write the groups to (one sub-folder per person)",
    );
  }
  return {
    kind: "cluster",
    ...common,
    library: positionals[0],
    out,
    model: path(values.model, "--model"),
    minFaces: int(values["min-faces"], "--min-faces", DEFAULTS.clusterMinFaces, 2),
    distance: num(values.distance, "--distance", DEFAULTS.clusterDistance, 0.05, 2),
    page: values["no-page"] !== true,
  };
}
function tagArgs(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  common: CommonArgs,
): TagArgs {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "tag needs a photo library: facefit tag LIBRARY --model DIR [--xmp] [--jsonl FILE]"
        : `tag takes one library, not ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  if (values.state !== undefined && values["no-state"]) {
    throw new UsageError("Give either --state FILE or --no-state, not both");
  }
  const xmp = values.xmp === true;
  const jsonl = path(values.jsonl, "--jsonl");
  return {
    kind: "tag",
    ...common,
    library: positionals[0],
    model: str(values.model) ?? DEFAULTS.model,
    xmp,
    // Without --xmp the lines are the only output: stdout unless a file is given.
    jsonl: jsonl ?? (xmp ? undefined : "-"),
    state: values["no-state"] ? false : path(values.state, "--state"),
    threshold: threshold(values.threshold),
  };
}

function labelSource(v: string | boolean | undefined): LabelSource {
  const source = str(v) ?? "folders";
  if (!(LABEL_SOURCES as readonly string[]).includes(source)) {
    throw new UsageError(
      `Unknown --labels "${source}": choose one of ${LABEL_SOURCES.join(", ")}`,
    );
  }
  return source as LabelSource;
}

/** Distances between unit embeddings lie in 0..2; probabilities in 0..1 fit inside. */
function threshold(v: string | boolean | undefined): number | undefined {
  return v === undefined ? undefined : num(v, "--threshold", 0, 0, 2);
}

function commonArgs(values: Record<string, string | boolean | undefined>): CommonArgs {
  const backend = str(values.backend) ?? "auto";
  if (!(BACKEND_REQUESTS as readonly string[]).includes(backend)) {
    throw new UsageError(
      `Unknown backend "${backend}": choose one of ${BACKEND_REQUESTS.join(", ")}`,
    );
  }
  if (values.cache !== undefined && values["no-cache"]) {
    throw new UsageError("Give either --cache DIR or --no-cache, not both");
  }
  return {
    backend: backend as BackendRequest,
    cache: values["no-cache"] ? false : str(values.cache),
    quiet: values.quiet === true,
    verbose: values.verbose === true,
    json: values.json === true,
    workers: values.workers === undefined ? undefined : int(values.workers, "--workers", 1, 1),
    maxPixels: num(values["max-pixels"], "--max-pixels", DEFAULT_MAX_PIXELS, 1, 1e12),
  };
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

function unknownCommand(name: string): UsageError {
  return new UsageError(`Unknown command "${name}": choose one of ${COMMANDS.join(", ")}, or help`);
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A path option: undefined when absent, refused when empty. */
function path(v: string | boolean | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") {
    throw new UsageError(`Invalid ${flag} "${v}": give a path`);
  }
  return v;
}

/** node:util's parse errors, reworded: an unknown option lists the command's options. */
function parseError(error: Error & { code?: string }, command: CommandName): UsageError {
  const see = `see "facefit help ${command}"`;
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) {
    const options = Object.keys(OPTIONS[command]).map((o) => `--${o}`);
    const close = options.filter((o) => o.startsWith(unknown[1]) || unknown[1].startsWith(o));
    return new UsageError(
      `Unknown option "${unknown[1]}" for ${command}` +
        (close.length === 1 ? ` (did you mean ${close[0]}?)` : "") +
        `: choose from ${options.join(", ")}; ${see}`,
    );
  }
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']*)'/.exec(error.message)?.[1];
    return new UsageError(
      `Unexpected argument${arg ? ` "${arg}"` : ""}: ${command} takes only options; ${see}`,
    );
  }
  const missing = /^Option '(-\w, )?(--[\w-]+) <value>' argument missing/.exec(error.message);
  if (missing) return new UsageError(`Option "${missing[2]}" needs a value; ${see}`);
  return new UsageError(`${error.message.replace(/\. To specify.*$/s, "")}; ${see}`);
}

function num(
  v: string | boolean | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`Invalid ${flag} "${v}": use a number from ${min} to ${max}`);
  }
  return n;
}

function int(v: string | boolean | undefined, flag: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !/^\d+$/.test(v.trim()) || n < min) {
    throw new UsageError(`Invalid ${flag} "${v}": use a whole number of at least ${min}`);
  }
  return n;
}

function intRange(
  v: string | boolean | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = int(v, flag, fallback, min);
  if (n > max) {
    throw new UsageError(`Invalid ${flag} "${v}": use a whole number from ${min} to ${max}`);
  }
  return n;
}

function augmentLevel(v: string | boolean | undefined): AugmentLevel {
  const level = str(v) ?? DEFAULTS.augment;
  if (!(AUGMENT_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(
      `Unknown --augment "${level}": choose one of ${AUGMENT_LEVELS.join(", ")}`,
    );
  }
  return level as AugmentLevel;
}
