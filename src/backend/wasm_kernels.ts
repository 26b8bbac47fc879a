/**
 * Kernels that tfjs-backend-wasm 4.22 lacks but training needs.
 *
 * `Conv2DBackpropFilter` (the gradient of a convolution with respect to its kernel) is missing, so
 * any `fit` that trains a convolution fails on WASM; the CPU backend's version is far too slow
 * (minutes per step). It is rebuilt here from WASM kernels that exist:
 *
 *   dW[kh, kw, c, o] = sum over n, i, j of xpad[n, i*s + kh, j*s + kw, c] * dy[n, i, j, o]
 *                    = conv2d(xpad transposed to [c, h, w, n], dy transposed to [i, j, n, o],
 *                             stride 1, valid, dilation s)[c, kh, kw, o]
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

/** Register the missing training kernels for the WASM backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel("Conv2DBackpropFilter", "wasm")) return;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs.x as tf.TensorInfo;
      const dy = inputs.dy as tf.TensorInfo;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
        attrs as unknown as BackpropFilterAttrs;
      if (dataFormat !== "NHWC") {
        throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, not "${dataFormat}"`);
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const made: tf.TensorInfo[] = [];
      const run = (name: string, ins: tf.NamedTensorInfoMap, at: object): tf.TensorInfo => {
        const out = tf.getKernel(name, "wasm")!.kernelFunc({
          inputs: ins,
          backend,
          attrs: at as tf.NamedAttrMap,
        }) as tf.TensorInfo;
        made.push(out);
        return out;
      };
      const { top, left, bottom, right } = info.padInfo;
      const xp = top || left || bottom || right
        ? run("PadV2", { x }, {
          paddings: [[0, 0], [top, bottom], [left, right], [0, 0]],
          constantValue: 0,
        })
        : x;
      const xt = run("Transpose", { x: xp }, { perm: [3, 1, 2, 0] });
      const ft = run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
      const z = run("Conv2D", { x: xt, filter: ft }, {
        strides: [1, 1],
        pad: "valid",
        dataFormat: "NHWC",
        dilations: [info.strideHeight, info.strideWidth],
      });
      const [kh, kw, c, o] = filterShape;
      const cropped = z.shape[1] === kh && z.shape[2] === kw
        ? z
        : run("Slice", { x: z }, { begin: [0, 0, 0, 0], size: [c, kh, kw, o] });
      const result = tf.getKernel("Transpose", "wasm")!.kernelFunc({
        inputs: { x: cropped },
        backend,
        attrs: { perm: [1, 2, 0, 3] },
      }) as tf.TensorInfo;
      for (const t of made) (backend as tf.KernelBackend).disposeData(t.dataId);
      return result;
    },
  });
}
