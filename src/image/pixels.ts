/**
 * Tight loops that turn the pixel layouts decoders return into 8-bit RGB.
 *
 * @module
 */

/**
 * RGBA to RGB, compositing translucent pixels over white (transparent backgrounds of cut-out
 * photos usually hold black or garbage colour, which would give faces a dark halo).
 */
export function rgbaToRgb(rgba: ArrayLike<number>, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0, end = pixels * 4; i < end; i += 4, o += 3) {
    const a = rgba[i + 3];
    if (a === 255) {
      out[o] = rgba[i];
      out[o + 1] = rgba[i + 1];
      out[o + 2] = rgba[i + 2];
    } else {
      const white = 255 * (255 - a) + 127;
      out[o] = (rgba[i] * a + white) / 255 | 0;
      out[o + 1] = (rgba[i + 1] * a + white) / 255 | 0;
      out[o + 2] = (rgba[i + 2] * a + white) / 255 | 0;
    }
  }
  return out;
}

/** One grey byte per pixel to RGB. */
export function grayToRgb(gray: ArrayLike<number>, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0; i < pixels; i++, o += 3) {
    const g = gray[i];
    out[o] = g;
    out[o + 1] = g;
    out[o + 2] = g;
  }
  return out;
}

/** CMYK (0 = no ink) to RGB with the naive formula, as browsers do without a colour profile. */
export function cmykToRgb(cmyk: ArrayLike<number>, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0, end = pixels * 4; i < end; i += 4, o += 3) {
    const white = 255 - cmyk[i + 3];
    out[o] = ((255 - cmyk[i]) * white + 127) / 255 | 0;
    out[o + 1] = ((255 - cmyk[i + 1]) * white + 127) / 255 | 0;
    out[o + 2] = ((255 - cmyk[i + 2]) * white + 127) / 255 | 0;
  }
  return out;
}
