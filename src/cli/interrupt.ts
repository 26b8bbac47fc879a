/**
 * Ctrl-C (SIGINT) in the CLI. Most of a command's work can stop at any moment without harm (the
 * caches and the model folder are written by renaming complete files into place), so the first
 * Ctrl-C prints a message and exits with code 130 at once. A guarded stage, the model save, gets
 * an abort signal instead: it drops its temporary folder and the command exits when it returns,
 * so no interrupt ever leaves half a model behind.
 *
 * @module
 */

/** The exit code of an interrupted command: 128 + SIGINT, as shells report it. */
export const INTERRUPTED = 130;

/** The message when nothing was written yet. */
export const MODEL_UNCHANGED = "interrupted; the previous model is unchanged";

/** Where an {@linkcode Interruption} says what happened and how it ends the process. */
export interface InterruptionOptions {
  /** What to print on interrupt, until {@linkcode Interruption.guard} says otherwise. */
  message: string;
  /** Prints the message (the CLI's error line). */
  say: (message: string) => void;
  /** Ends the process; default `Deno.exit`. Tests pass one that throws. */
  exit?: (code: number) => never;
}

/**
 * The CLI's SIGINT handler: exit at once, or abort the guarded stage and exit when it is done.
 *
 * @example A guarded stage sees the signal; the interrupt ends the process when it returns
 * ```ts
 * import assert from "node:assert/strict";
 * import { Interruption } from "./interrupt.ts";
 *
 * const said: string[] = [];
 * const interruption = new Interruption({
 *   message: "interrupted",
 *   say: (m) => said.push(m),
 *   exit: (code) => { throw new Error(`exit ${code}`); },
 * });
 * await assert.rejects(
 *   interruption.guard(async (signal) => {
 *     interruption.interrupt(); // what Ctrl-C does
 *     assert.ok(signal.aborted);
 *   }),
 *   /exit 130/,
 * );
 * assert.deepEqual(said, ["interrupted"]);
 * ```
 */
export class Interruption {
  /** What is printed on interrupt. */
  message: string;
  readonly #say: (message: string) => void;
  readonly #exit: (code: number) => never;
  readonly #controller = new AbortController();
  #guards = 0;
  #listener: (() => void) | undefined;

  /** Set up the handler; {@linkcode install} connects it to SIGINT. */
  constructor(options: InterruptionOptions) {
    this.message = options.message;
    this.#say = options.say;
    this.#exit = options.exit ?? ((code: number) => Deno.exit(code));
  }

  /** Whether Ctrl-C was pressed. */
  get interrupted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Listen for SIGINT (a no-op where the platform has no signals to listen to). */
  install(): void {
    if (this.#listener) return;
    this.#listener = () => this.interrupt();
    try {
      Deno.addSignalListener("SIGINT", this.#listener);
    } catch {
      this.#listener = undefined;
    }
  }

  /** Stop listening; Ctrl-C then ends the process the default way. */
  uninstall(): void {
    if (!this.#listener) return;
    Deno.removeSignalListener("SIGINT", this.#listener);
    this.#listener = undefined;
  }

  /**
   * What SIGINT does: inside a guarded stage, the first one aborts the stage's signal; otherwise
   * (and on a second Ctrl-C) print the message and exit with {@linkcode INTERRUPTED}.
   */
  interrupt(): void {
    if (this.#guards > 0 && !this.interrupted) {
      this.#controller.abort(new DOMException(this.message, "AbortError"));
      return;
    }
    this.#stop();
  }

  /**
   * Run a stage that must not be cut short: it gets a signal that aborts on Ctrl-C, and the
   * process exits when it returns or throws (with the message as it then stands).
   *
   * @param done the message from now on when the stage succeeds, e.g. "the model was saved".
   */
  async guard<T>(stage: (signal: AbortSignal) => Promise<T>, done?: string): Promise<T> {
    this.#guards++;
    try {
      const result = await stage(this.#controller.signal);
      if (done !== undefined) this.message = done;
      return result;
    } finally {
      this.#guards--;
      if (this.interrupted) this.#stop();
    }
  }

  #stop(): never {
    this.uninstall();
    this.#say(this.message);
    return this.#exit(INTERRUPTED);
  }
}
