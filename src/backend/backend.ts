/**
 * Choose and start the tfjs backend: WebGPU on a hardware GPU, else WASM, with the plain CPU
 * backend as the last resort.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { setWasmPaths } from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import { packageDir } from "./npm_path.ts";
import { registerWasmTrainingKernels } from "./wasm_kernels.ts";

/** A backend the user may ask for. `auto` picks the fastest one that is really there. */
export type BackendRequest = "auto" | "webgpu" | "wasm" | "cpu";

/** The backends a user may ask for, in the order `auto` tries them. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ["auto", "webgpu", "wasm", "cpu"];

/** What was started: the tfjs backend name and a human description of the device. */
export interface BackendInfo {
  /** The tfjs backend that runs. */
  name: "webgpu" | "wasm" | "cpu";
  /** What it runs on, for people: e.g. "CPU (WebAssembly, SIMD, 1 thread)". */
  device: string;
}

/** Adapter names that mean "a CPU pretending to be a GPU". */
const SOFTWARE_ADAPTERS = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;

interface AdapterSummary {
  description: string;
  software: boolean;
}

/** Describe the WebGPU adapter, or return undefined when there is none. */
export async function probeWebGpu(): Promise<AdapterSummary | undefined> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return undefined;
  ensureRuntimeDir();
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    return undefined;
  }
  if (!adapter) return undefined;
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.device, info.description]
    .filter((s) => typeof s === "string" && s.length > 0).join(" ") || "unknown adapter";
  const fallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { description, software: fallback || SOFTWARE_ADAPTERS.test(description) };
}

/**
 * Vulkan's window-system layer complains on stderr when XDG_RUNTIME_DIR is unset (a service or CI
 * without a login session); give it a private temporary folder then.
 */
function ensureRuntimeDir(): void {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR")) return;
    Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "facefit-xdg-" }));
  } catch {
    // no env or write permission: the adapter request still works, only noisier
  }
}

/** True when the WebGPU backend is the active one: callers must then read tensors asynchronously. */
export function isAsyncOnly(): boolean {
  return tf.getBackend() === "webgpu";
}

let wasmPathsSet = false;

async function startWasm(): Promise<boolean> {
  if (!wasmPathsSet) {
    const dir = packageDir("@tensorflow/tfjs-backend-wasm", "4.22.0");
    setWasmPaths(new URL("dist/", dir).href);
    registerWasmTrainingKernels();
    wasmPathsSet = true;
  }
  return await tf.setBackend("wasm");
}

async function startWebGpu(): Promise<boolean> {
  await import("npm:@tensorflow/tfjs-backend-webgpu@4.22.0");
  return await tf.setBackend("webgpu");
}

/**
 * Start a tfjs backend.
 *
 * @param request `auto` takes WebGPU only on a hardware adapter (never a software rasteriser such
 *   as lavapipe or SwiftShader), else WASM.
 * @returns the backend that runs and the device it runs on.
 * @throws RangeError for an unknown request, Error when the requested backend cannot start.
 *
 * @example Start the plain-JavaScript backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "./backend.ts";
 *
 * const backend = await initBackend("cpu");
 * assert.equal(backend.name, "cpu");
 * ```
 */
export async function initBackend(request: BackendRequest = "auto"): Promise<BackendInfo> {
  if (!BACKEND_REQUESTS.includes(request)) {
    throw new RangeError(
      `Unknown backend "${request}": choose one of ${BACKEND_REQUESTS.join(", ")}`,
    );
  }
  if (request === "auto" || request === "webgpu") {
    const adapter = await probeWebGpu();
    if (request === "webgpu" && !adapter) {
      throw new Error(
        'Backend "webgpu" is not available: no WebGPU adapter found; install a GPU driver ' +
          "(or mesa-vulkan-drivers for a software one) or use --backend wasm",
      );
    }
    if (adapter && (request === "webgpu" || !adapter.software)) {
      if (await startWebGpu()) {
        await tf.ready();
        return { name: "webgpu", device: adapter.description };
      }
      if (request === "webgpu") throw new Error('Backend "webgpu" failed to start');
    }
  }
  if (request !== "cpu") {
    if (await startWasm()) {
      await tf.ready();
      const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? "threaded" : "1 thread";
      const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
      return { name: "wasm", device: `CPU (WebAssembly, ${simd}, ${threads})` };
    }
    if (request === "wasm") throw new Error('Backend "wasm" failed to start');
  }
  await tf.setBackend("cpu");
  await tf.ready();
  return { name: "cpu", device: "CPU (plain JavaScript)" };
}
