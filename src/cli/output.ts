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
  };
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
  #stepStart = new Map<string, number>();

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

  /** An error on stderr, always. */
  error(text: string): void {
    this.#closeBar();
    this.err.write(`error: ${text}\n`);
  }

  /** Progress of a per-file step: a live bar on a terminal, a line every 10 % otherwise. */
  progress(p: StepProgress): void {
    if (p.error) this.warn(`skipped "${p.file}": ${p.error}`);
    if (this.quiet) return;
    const now = performance.now();
    if (!this.#stepStart.has(p.step) || p.done === 1) this.#stepStart.set(p.step, now);
    const elapsed = (now - this.#stepStart.get(p.step)!) / 1000;
    const rate = elapsed > 0 ? p.done / elapsed : 0;
    const eta = rate > 0 ? (p.total - p.done) / rate : 0;
    const figures = `${p.done}/${p.total} ${rate.toFixed(1)}/s ETA ${formatSeconds(eta)}`;
    if (this.err.isTerminal) {
      const width = 24;
      const filled = Math.round((p.done / Math.max(1, p.total)) * width);
      this.err.write(
        `\r\x1b[K${p.step.padEnd(9)} [${"#".repeat(filled)}${
          ".".repeat(width - filled)
        }] ${figures}`,
      );
      this.#barOpen = true;
      if (p.done === p.total) this.#closeBar();
    } else if (p.done === p.total || p.done % Math.max(1, Math.ceil(p.total / 10)) === 0) {
      this.err.write(`${p.step} ${figures}\n`);
    }
  }

  /** One line per epoch with loss, acc, val_loss, val_acc (every epoch when verbose, else every 10th). */
  epoch(epoch: number, logs: EpochLogs, last = false): void {
    if (this.quiet) return;
    if (!this.verbose && !last && (epoch + 1) % 10 !== 0 && epoch !== 0) return;
    const f = (k: string) => (typeof logs[k] === "number" ? logs[k].toFixed(4) : "-");
    this.info(
      `epoch ${String(epoch + 1).padStart(3)}  loss ${f("loss")}  acc ${f("acc")}  ` +
        `val_loss ${f("val_loss")}  val_acc ${f("val_acc")}` +
        (logs.lr ? `  lr ${logs.lr.toExponential(1)}` : ""),
    );
  }

  #closeBar(): void {
    if (this.#barOpen) {
      this.err.write("\n");
      this.#barOpen = false;
    }
  }
}

/** "1m05s" or "42s". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
