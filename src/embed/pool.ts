/**
 * Analyze photos in parallel worker threads. tfjs' WASM backend runs on one thread in Deno (its
 * threaded build needs classic workers), so each worker runs its own backend and networks on its
 * own core.
 *
 * @module
 */
import type { BackendRequest } from "../backend/backend.ts";
import type { DecodeOptions } from "../image/mod.ts";
import type { DetectOptions } from "../face/detect.ts";
import type { PhotoRecord } from "./photo.ts";

/** What a worker needs to build the same analyzer: plain data only. */
export interface WorkerAnalyzerConfig {
  backend: BackendRequest;
  cacheDir?: string | false;
  detect?: DetectOptions;
  decode?: DecodeOptions;
  /** Folder of a fine-tuned backbone (model.json + weights), and its id. */
  backboneDir?: string;
  backboneId?: string;
}

/** Messages to a worker. */
export type ToWorker =
  | { kind: "init"; config: WorkerAnalyzerConfig }
  | { kind: "analyze"; id: number; path: string };

/** Messages from a worker. */
export type FromWorker =
  | { kind: "ready" }
  | { kind: "init-failed"; error: string }
  | { kind: "done"; id: number; record: PhotoRecord; cached: boolean }
  | { kind: "failed"; id: number; error: string };

interface Pending {
  resolve: (r: { record: PhotoRecord; cached: boolean }) => void;
  reject: (e: Error) => void;
}

/** A fixed set of analyzer workers; each photo goes to the least busy one. */
export class AnalyzerPool {
  readonly size: number;
  readonly #workers: Worker[];
  readonly #busy: number[];
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    this.size = workers.length;
    this.#busy = workers.map(() => 0);
    workers.forEach((w) => {
      w.onmessage = (e: MessageEvent<FromWorker>) => this.#receive(e.data);
    });
  }

  /**
   * Start `size` workers and wait until each has loaded its networks.
   *
   * @throws Error when a worker cannot start (its message says why).
   */
  static async start(size: number, config: WorkerAnalyzerConfig): Promise<AnalyzerPool> {
    const workers = Array.from(
      { length: size },
      () => new Worker(new URL("./analyzer_worker.ts", import.meta.url).href, { type: "module" }),
    );
    try {
      await Promise.all(workers.map((w) =>
        new Promise<void>((resolve, reject) => {
          w.onmessage = (e: MessageEvent<FromWorker>) => {
            if (e.data.kind === "ready") resolve();
            else if (e.data.kind === "init-failed") reject(new Error(e.data.error));
          };
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`An analyzer worker failed to start: ${e.message}`));
          };
          w.postMessage({ kind: "init", config } satisfies ToWorker);
        })
      ));
    } catch (error) {
      workers.forEach((w) => w.terminate());
      throw error;
    }
    return new AnalyzerPool(workers);
  }

  /** Analyze one photo file on the least busy worker. */
  analyze(path: string): Promise<{ record: PhotoRecord; cached: boolean }> {
    let w = 0;
    for (let i = 1; i < this.size; i++) if (this.#busy[i] < this.#busy[w]) w = i;
    const id = this.#next++;
    this.#busy[w]++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (r) => {
          this.#busy[w]--;
          resolve(r);
        },
        reject: (e) => {
          this.#busy[w]--;
          reject(e);
        },
      });
      this.#workers[w].postMessage({ kind: "analyze", id, path } satisfies ToWorker);
    });
  }

  /** Stop the workers; pending photos fail. */
  close(): void {
    this.#workers.forEach((w) => w.terminate());
    for (const p of this.#pending.values()) p.reject(new Error("The analyzer pool was closed"));
    this.#pending.clear();
  }

  #receive(msg: FromWorker): void {
    if (msg.kind !== "done" && msg.kind !== "failed") return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.kind === "done") p.resolve({ record: msg.record, cached: msg.cached });
    else p.reject(new Error(msg.error));
  }
}
