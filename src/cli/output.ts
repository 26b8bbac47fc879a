/**
 * Everything the CLI shows a person: messages, warnings, progress bars and epoch lines, on stderr
 * (stdout carries only results, so `--json` output can be piped). Tests pass their own writer.
 *
 * @module
 */
import type { EpochLogs } from "../train/callbacks.ts";
import type { StepProgress } from "../train/collect.ts";

/** Where text goes; `isTerminal` decides between a live bar and plain lines. */
export interface TextSink {
  write(text: string): void;
  isTerminal: boolean;
  /** Width of the terminal in characters, when known; live bars are cut to fit. */
  columns?: number;
}

/** A sink for a Deno stream (stdout or stderr). */
export function streamSink(stream: typeof Deno.stderr | typeof Deno.stdout): TextSink {
  const encoder = new TextEncoder();
  return {
    write: (text) => {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
    },
    isTerminal: stream.isTerminal(),
    columns: terminalColumns(stream),
  };
}

function terminalColumns(stream: typeof Deno.stderr | typeof Deno.stdout): number | undefined {
  try {
    return stream.isTerminal() ? Deno.consoleSize().columns : undefined;
  } catch {
    return undefined;
  }
}

/** Output options. */
export interface ReporterOptions {
  quiet?: boolean;
  verbose?: boolean;
}

/** The CLI's voice. */
export class Reporter {
  readonly out: TextSink;
  readonly err: TextSink;
  readonly quiet: boolean;
  readonly verbose: boolean;
  #barOpen = false;
  #skipped = new Set<string>();
  #stepStart = new Map<string, number>();
  /** When a plain progress line last went to a log, per step ("epochs" for epochs). */
  #lastLogLine = new Map<string, number>();

  constructor(out: TextSink, err: TextSink, options: ReporterOptions = {}) {
    this.out = out;
    this.err = err;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
  }

  /** A result line on stdout. */
  result(text: string): void {
    this.#closeBar();
    this.out.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** A message on stderr, unless quiet. */
  info(text: string): void {
    if (this.quiet) return;
    this.#closeBar();
    this.err.write(text + "\n");
  }

  /** A warning on stderr, always. */
  warn(text: string): void {
    this.#closeBar();
    this.err.write(`warning: ${text}\n`);
  }

  /** A warning that a file was left out, and why; once per file, however often it is reported. */
  skipped(path: string, reason: string): void {
    if (this.#skipped.has(path)) return;
    this.#skipped.add(path);
    this.warn(`skipped "${path}": ${reason}`);
  }

  /** An error on stderr, always. */
  error(text: string): void {
    this.#closeBar();
    this.err.write(`error: ${text}\n`);
  }

  /**
   * Progress of a per-file step as a live bar with count, rate and ETA. Drawn only on a terminal
   * and never when quiet. A log gets a plain line every {@linkcode LOG_EVERY_MS} of a long step
   * and then its end; with --verbose, the end of every step.
   */
  progress(p: StepProgress): void {
    if (p.error) this.skipped(p.file ?? p.step, p.error);
    if (this.quiet) return;
    const figures = this.#figures(p.step, p.done, p.total);
    if (this.err.isTerminal) {
      this.#bar(p.step, p.done, p.total, figures);
      if (p.done === p.total) this.#closeBar();
      return;
    }
    if (p.done <= 1) this.#lastLogLine.delete(p.step);
    const logged = this.#lastLogLine.has(p.step);
    if ((this.verbose || logged) && p.done === p.total) {
      this.err.write(`${p.step} ${figures}\n`);
    } else if (this.#logDue(p.step)) {
      this.err.write(`${p.step} ${figures}\n`);
    }
  }

  /** Whether a long step is due a plain line in a log; starts the clock on the first call. */
  #logDue(step: string): boolean {
    const now = performance.now();
    const since = this.#lastLogLine.get(step) ?? this.#stepStart.get(step);
    if (since === undefined) {
      this.#lastLogLine.set(step, now);
      return false;
    }
    if (now - since < LOG_EVERY_MS) return false;
    this.#lastLogLine.set(step, now);
    return true;
  }

  /**
   * After each epoch: on a terminal a live bar towards `total` epochs with the epoch's figures;
   * otherwise a line every 10th epoch (every epoch when verbose). `last` prints the final line.
   */
  epoch(epoch: number, logs: EpochLogs, last = false, total?: number): void {
    if (this.quiet) return;
    const f = (k: string) => (typeof logs[k] === "number" ? logs[k].toFixed(4) : "-");
    if (this.err.isTerminal && !this.verbose && !last && total !== undefined) {
      const brief = `loss ${f("loss")} val_loss ${f("val_loss")} val_acc ${f("val_acc")}`;
      this.#bar(
        "epochs",
        epoch + 1,
        total,
        `${this.#figures("epochs", epoch + 1, total)} ${brief}`,
      );
      return;
    }
    const figures = `loss ${f("loss")}  acc ${f("acc")}  val_loss ${f("val_loss")}  ` +
      `val_acc ${f("val_acc")}`;
    // A log also gets an epoch line when the last one is a while ago (fine-tuning epochs are long).
    const due = !this.err.isTerminal && this.#logDue("epochs");
    if (!this.verbose && !last && (epoch + 1) % 10 !== 0 && epoch !== 0 && !due) return;
    this.info(
      `epoch ${String(epoch + 1).padStart(3)}  ${figures}` +
        (logs.lr ? `  lr ${logs.lr.toExponential(1)}` : ""),
    );
  }

  /** With --verbose, how long a stage took. */
  timing(stage: string, seconds: number): void {
    if (!this.verbose || this.quiet) return;
    this.info(`time ${stage}: ${seconds < 10 ? seconds.toFixed(2) + "s" : formatSeconds(seconds)}`);
  }

  /** Run a stage and report its time with --verbose. */
  async time<T>(stage: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await run();
    this.timing(stage, (performance.now() - started) / 1000);
    return result;
  }

  #figures(step: string, done: number, total: number): string {
    const now = performance.now();
    if (!this.#stepStart.has(step) || done <= 1) this.#stepStart.set(step, now);
    const elapsed = (now - this.#stepStart.get(step)!) / 1000;
    const rate = elapsed > 0 ? (done - 1) / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    return `${done}/${total} ${rate.toFixed(1)}/s ETA ${rate > 0 ? formatSeconds(eta) : "-"}`;
  }

  #bar(step: string, done: number, total: number, figures: string): void {
    const width = 24;
    const filled = Math.round((Math.min(done, total) / Math.max(1, total)) * width);
    const line = `${step.padEnd(9)} [${"#".repeat(filled)}${
      ".".repeat(width - filled)
    }] ${figures}`;
    // A line longer than the terminal wraps, and "\r" would then redraw only its last part.
    this.err.write(`\r\x1b[K${line.slice(0, Math.max(20, (this.err.columns ?? 80) - 1))}`);
    this.#barOpen = true;
  }

  #closeBar(): void {
    if (this.#barOpen) {
      this.err.write("\n");
      this.#barOpen = false;
    }
  }
}

/** The cache's share of the work; "nothing analysed" tells a reduce step after `analyze` did its job. */
export function cacheLine(cache: { hits: number; misses: number }): string {
  return cache.misses === 0 && cache.hits > 0
    ? `all ${cache.hits} photos from the cache, nothing analysed`
    : `cache ${cache.hits} hits / ${cache.misses} misses`;
}
/** A long step writes a plain progress line to a log (not a terminal) this often. */
export const LOG_EVERY_MS = 5000;

/** "1m05s" or "42s". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
