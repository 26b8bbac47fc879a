/**
 * Typed handles on the WebAssembly codecs inside imagescript 1.3.1 (`wasm/node/*.js`).
 *
 * These modules are internal to imagescript and ship without declarations, which is why
 * deno.json pins the exact version. Using them directly, rather than `Image.decode`, keeps the
 * decoders' own pixel layout (JPEG comes out as RGB, not widened to RGBA pixel by pixel) and
 * avoids imagescript's main module, which loads a native addon that needs --allow-ffi.
 *
 * The modules are imported on first use: they read the environment variable
 * IMAGESCRIPT_WASM_SIMD when loaded, so importing them eagerly would make every program that
 * imports this stage need --allow-env, even one that never decodes a JPEG, PNG or GIF.
 *
 * @module
 */

/** A decoded JPEG frame; `format` is 0 grey, 1 RGB, 2 CMYK (0 = no ink). */
export interface JpegFrame {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Pixel layout: 0 grey, 1 RGB, 2 CMYK. */
  format: number;
  /** The pixels, 1, 3 or 4 bytes each by `format`. */
  buffer: Uint8Array;
}

/** One instance of the JPEG codec. */
export interface JpegCodec {
  /**
   * Decode a JPEG file; throws on corrupt data. Given a width and height, the decoder scales
   * its inverse DCT down by 2, 4 or 8 to the smallest size at least that large.
   */
  decode(bytes: Uint8Array, width?: number, height?: number): JpegFrame;
}

/** One instance of the PNG codec; `framebuffer` is always 8-bit RGBA. */
export interface PngCodec {
  /** Decode a PNG file; throws on corrupt data. */
  decode(bytes: Uint8Array): { width: number; height: number; framebuffer: Uint8Array };
}

/** One GIF frame as RGBA, placed at (x, y) on the logical screen. */
export interface GifFrame {
  /** Left edge of the frame on the logical screen. */
  x: number;
  /** Top edge of the frame on the logical screen. */
  y: number;
  /** Width of the frame in pixels. */
  width: number;
  /** Height of the frame in pixels. */
  height: number;
  /** The frame's RGBA pixels. */
  buffer: Uint8Array;
}

/** A streaming GIF decoder over one file. */
export interface GifDecoder {
  /** Width of the logical screen. */
  width: number;
  /** Height of the logical screen. */
  height: number;
  /** The next frame, or null after the last; throws on corrupt data. */
  frame(): GifFrame | null;
  /** Release the decoder's WebAssembly memory. */
  free(): void;
}

/** One instance of the GIF codec. */
export interface GifCodec {
  /** Start decoding a GIF file; throws on a bad header. */
  Decoder: new (bytes: Uint8Array) => GifDecoder;
}

/** A codec module: `init` compiles the WebAssembly once, then returns a new instance per call. */
export interface CodecModule<T> {
  /** Compile the WebAssembly (once) and return a new instance. */
  init(): Promise<T>;
}

/** imagescript's JPEG codec module. */
export const jpegWasm: CodecModule<JpegCodec> = {
  init: async () => await (await import("npm:imagescript@1.3.1/wasm/node/jpeg.js")).default.init(),
};
/** imagescript's PNG codec module. */
export const pngWasm: CodecModule<PngCodec> = {
  init: async () => await (await import("npm:imagescript@1.3.1/wasm/node/png.js")).default.init(),
};
/** imagescript's GIF codec module. */
export const gifWasm: CodecModule<GifCodec> = {
  init: async () => await (await import("npm:imagescript@1.3.1/wasm/node/gif.js")).default.init(),
};

/**
 * Keeps one instance of a codec: a fresh instance per image would grow its memory from scratch
 * each time, which costs more than some decodes. Any failure drops the instance, since a trap
 * in the middle of a decode may leave its allocator broken.
 */
export class CodecCache<T> {
  #module: CodecModule<T>;
  #instance: T | undefined;

  /** Wrap a codec module. */
  constructor(module: CodecModule<T>) {
    this.#module = module;
  }

  /**
   * Run `use` with the cached instance, creating it first if needed. When `release` says so of
   * the result, the instance is dropped afterwards: a WebAssembly memory never shrinks, so an
   * instance that grew to decode one huge image would otherwise hold that memory for good.
   */
  async run<R>(use: (codec: T) => R, release?: (result: R) => boolean): Promise<R> {
    this.#instance ??= await this.#module.init();
    try {
      const result = use(this.#instance);
      if (release?.(result)) this.#instance = undefined;
      return result;
    } catch (error) {
      this.#instance = undefined;
      throw error;
    }
  }
}
