/**
 * SSD passes on worker threads. tfjs' WASM backend runs on one thread in Deno (its threaded build
 * needs classic workers), and detection is most of the pipeline's arithmetic, so each worker
 * holds its own backend and SSD and takes passes while this thread does everything else (and
 * SSD passes itself when the workers are full).
 *
 * @module
 */
import type { RgbImage } from "../image/types.ts";
import type { SsdHelper } from "./detect.ts";
import type { SsdOutput, SsdRunner } from "./ssd.ts";

/** Messages to a worker. */
export type ToSsdWorker =
  | { kind: "init"; backend: "wasm" | "cpu" }
  | { kind: "detect"; id: number; image: RgbImage; minScore: number };

/** Messages from a worker. */
export type FromSsdWorker =
  | { kind: "ready" }
  | { kind: "init-failed"; error: string }
  | ({ kind: "done"; id: number } & SsdOutput)
  | { kind: "failed"; id: number; error: string };

interface Pending {
  worker: number;
  resolve: (out: SsdOutput) => void;
  reject: (e: Error) => void;
}

/**
 * A fixed set of SSD workers. Each takes up to `depth` passes at once: one running and the next
 * queued, so that a worker never waits while this thread is inside a long kernel and cannot
 * hand it work.
 */
export class SsdPool implements SsdHelper {
  /** Passes a worker may hold at once. */
  readonly depth: number;
  readonly #workers: Worker[];
  readonly #busy: number[];
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  readonly #onPass: (() => void) | undefined;

  private constructor(workers: Worker[], depth: number, onPass?: () => void) {
    this.#workers = workers;
    this.depth = depth;
    this.#onPass = onPass;
    this.#busy = workers.map(() => 0);
    workers.forEach((w) => {
      w.onmessage = (e: MessageEvent<FromSsdWorker>) => this.#receive(e.data);
    });
  }

  /** How many workers. */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Start `size` workers on `backend` and wait until each has loaded the SSD; `onPass` hears of
   * every pass a worker completes.
   *
   * @throws Error when a worker cannot start (its message says why).
   */
  static async start(
    size: number,
    backend: "wasm" | "cpu",
    depth = 2,
    onPass?: () => void,
  ): Promise<SsdPool> {
    const workers = Array.from(
      { length: size },
      () => new Worker(new URL("./ssd_worker.ts", import.meta.url).href, { type: "module" }),
    );
    try {
      await Promise.all(workers.map((w) =>
        new Promise<void>((resolve, reject) => {
          w.onmessage = (e: MessageEvent<FromSsdWorker>) => {
            if (e.data.kind === "ready") resolve();
            else if (e.data.kind === "init-failed") reject(new Error(e.data.error));
          };
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`An SSD worker failed to start: ${e.message}`));
          };
          w.postMessage({ kind: "init", backend } satisfies ToSsdWorker);
        })
      ));
    } catch (error) {
      workers.forEach((w) => w.terminate());
      throw error;
    }
    return new SsdPool(workers, depth, onPass);
  }

  /** A runner on the least busy worker, or undefined when every worker holds `depth` passes. */
  withRoom(): SsdRunner | undefined {
    let w = 0;
    for (let i = 1; i < this.#workers.length; i++) if (this.#busy[i] < this.#busy[w]) w = i;
    if (this.#workers.length === 0 || this.#busy[w] >= this.depth) return undefined;
    this.#busy[w]++; // reserved now, so that the next caller sees it
    let used = false;
    return {
      detect: (image, minScore) => {
        if (used) throw new Error("A runner from SsdPool.withRoom runs one pass");
        used = true;
        return this.#send(w, image as RgbImage, minScore);
      },
    };
  }

  /** Stop the workers; passes in flight fail. */
  close(): void {
    this.#workers.forEach((w) => w.terminate());
    for (const p of this.#pending.values()) p.reject(new Error("The SSD pool was closed"));
    this.#pending.clear();
  }

  #send(w: number, image: RgbImage, minScore: number): Promise<SsdOutput> {
    const id = this.#next++;
    // A copy of the pixels (often a view into the whole photo) travels to the worker.
    const data = image.data.slice();
    const msg: ToSsdWorker = {
      kind: "detect",
      id,
      image: { width: image.width, height: image.height, data },
      minScore,
    };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { worker: w, resolve, reject });
      this.#workers[w].postMessage(msg, [data.buffer]);
    });
  }

  #receive(msg: FromSsdWorker): void {
    if (msg.kind !== "done" && msg.kind !== "failed") return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    this.#busy[p.worker]--;
    if (msg.kind === "done") {
      this.#onPass?.();
      p.resolve({ boxes: msg.boxes, scores: msg.scores });
    } else p.reject(new Error(msg.error));
  }
}
