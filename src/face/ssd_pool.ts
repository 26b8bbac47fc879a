/**
 * SSD passes on worker threads. tfjs' WASM backend runs on one thread in Deno (its threaded build
 * needs classic workers), and detection is most of the pipeline's arithmetic, so each worker
 * holds its own backend and SSD and takes passes while this thread does everything else (and
 * SSD passes itself when the workers are full). A worker also holds the landmark network, and
 * takes landmark passes when it holds no SSD pass: face crops need several landmark passes and
 * seldom an SSD pass, and would otherwise leave the workers idle, while on photos the workers are
 * busy with SSD passes and this thread has time for the landmarks.
 *
 * @module
 */
import type { RgbImage } from "../image/types.ts";
import type { LandmarkRunner, SsdHelper } from "./detect.ts";
import type { SsdOutput, SsdRunner } from "./ssd.ts";

/** Messages to a worker. */
export type ToSsdWorker =
  | { kind: "init"; backend: "wasm" | "cpu" }
  | { kind: "detect"; id: number; image: RgbImage; minScore: number }
  | { kind: "landmarks"; id: number; faces: RgbImage[] };

/** Messages from a worker. */
export type FromSsdWorker =
  | { kind: "ready" }
  | { kind: "init-failed"; error: string }
  | ({ kind: "done"; id: number } & SsdOutput)
  | { kind: "landmarks-done"; id: number; landmarks: Float32Array }
  | { kind: "failed"; id: number; error: string };

interface Pending {
  worker: number;
  /** Whether it is an SSD pass (else a landmark pass). */
  ssd: boolean;
  resolve: (out: SsdOutput | Float32Array) => void;
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
  /** SSD passes among each worker's `#busy`. */
  readonly #ssdBusy: number[];
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  readonly #onPass: (() => void) | undefined;

  private constructor(workers: Worker[], depth: number, onPass?: () => void) {
    this.#workers = workers;
    this.depth = depth;
    this.#onPass = onPass;
    this.#busy = workers.map(() => 0);
    this.#ssdBusy = workers.map(() => 0);
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
    this.#ssdBusy[w]++;
    let used = false;
    return {
      detect: (image, minScore) => {
        if (used) throw new Error("A runner from SsdPool.withRoom runs one pass");
        used = true;
        return this.#detect(w, image as RgbImage, minScore);
      },
    };
  }

  /**
   * A landmark runner on the least busy worker that holds no SSD pass and has room, or undefined
   * when there is none.
   */
  forLandmarks(): LandmarkRunner | undefined {
    let w = -1;
    this.#workers.forEach((_, i) => {
      if (this.#ssdBusy[i] > 0 || this.#busy[i] >= this.depth) return;
      if (w < 0 || this.#busy[i] < this.#busy[w]) w = i;
    });
    if (w < 0) return undefined;
    this.#busy[w]++;
    let used = false;
    return {
      landmarks: (faces) => {
        if (used) throw new Error("A runner from SsdPool.forLandmarks runs one pass");
        used = true;
        const msg: ToSsdWorker = { kind: "landmarks", id: this.#next++, faces };
        return this.#post(w, msg, faces.map((f) => f.data.buffer)) as Promise<Float32Array>;
      },
    };
  }

  /** Stop the workers; passes in flight fail. */
  close(): void {
    this.#workers.forEach((w) => w.terminate());
    for (const p of this.#pending.values()) p.reject(new Error("The SSD pool was closed"));
    this.#pending.clear();
  }

  #detect(w: number, image: RgbImage, minScore: number): Promise<SsdOutput> {
    // A copy of the pixels (often a view into the whole photo) travels to the worker.
    const data = image.data.slice();
    const msg: ToSsdWorker = {
      kind: "detect",
      id: this.#next++,
      image: { width: image.width, height: image.height, data },
      minScore,
    };
    return this.#post(w, msg, [data.buffer]) as Promise<SsdOutput>;
  }

  #post(
    w: number,
    msg: ToSsdWorker & { id: number },
    transfer: ArrayBufferLike[],
  ): Promise<SsdOutput | Float32Array> {
    return new Promise((resolve, reject) => {
      this.#pending.set(msg.id, { worker: w, ssd: msg.kind === "detect", resolve, reject });
      this.#workers[w].postMessage(msg, transfer as ArrayBuffer[]);
    });
  }

  #receive(msg: FromSsdWorker): void {
    if (msg.kind === "ready" || msg.kind === "init-failed") return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    this.#busy[p.worker]--;
    if (p.ssd) this.#ssdBusy[p.worker]--;
    if (msg.kind === "done") {
      this.#onPass?.();
      p.resolve({ boxes: msg.boxes, scores: msg.scores });
    } else if (msg.kind === "landmarks-done") p.resolve(msg.landmarks);
    else p.reject(new Error(msg.error));
  }
}
