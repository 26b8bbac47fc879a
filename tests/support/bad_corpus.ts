/**
 * A photo collection with every kind of bad or unusual input, generated in a temporary folder
 * around a few real face photos (copied, never committed): broken files, odd formats made from
 * real photos, huge and bomb-like images, awkward names, symlink loops and empty folders.
 *
 * @module
 */
import { Frame, GIF, Image } from "npm:imagescript@1.3.1";
import { join } from "node:path";
import { decodeImage, downscaleBy, type RgbImage } from "../../src/image/mod.ts";
import {
  ascii,
  CMYK_JPEG,
  concat,
  exifOrientationBlock,
  jpegWithExif,
  pngBytes,
  tiffBytes,
} from "../../src/image/test_fixtures.ts";

/** The shared FC Barcelona photos (read-only). */
export const SHARED = new URL("../../../shared/datasets/fcbarcelona/", import.meta.url).pathname;

/** Whether the shared photos are there (the tests that need them skip themselves otherwise). */
export const HAVE_SHARED = (() => {
  try {
    return Deno.statSync(join(SHARED, "Train", "Messi")).isDirectory;
  } catch {
    return false;
  }
})();

/** The people of the corpus. */
export const PEOPLE = ["Busquets", "Messi", "Pique"];

/** What one item of the corpus is and what should become of it. */
export interface CorpusItem {
  /** Path of the file or folder. */
  path: string;
  /** What it is, for the closing note: "zero-byte file", "CMYK JPEG"... */
  what: string;
  /**
   * What facefit must make of it: `face` is decoded with a face found, `no-face` is decoded with
   * no face, `refused` cannot be used and is named in a message matching `reason`.
   */
  expect: "face" | "no-face" | "refused";
  /** For `refused`: the reason the message must give. */
  reason?: RegExp;
  /** The person folder it is in, when it is a photo of a person's folder. */
  label?: string;
}

/** The generated folders. */
export interface Corpus {
  /** Training photos, one folder per person, bad files mixed in, plus an empty person folder. */
  train: string;
  /** Test photos for evaluate, with two bad files. */
  test: string;
  /** A collection with a single person. */
  onePerson: string;
  /** A collection whose person folders hold no image at all. */
  noImages: string;
  /** Every photo-like file, good and bad, of `train` and `test`. */
  items: CorpusItem[];
  /** The 8000x6000 photo. */
  huge: string;
}

function sortedNames(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
}

/** A real photo, decoded and shrunk by a whole factor to at most `side` pixels a side. */
async function realPhoto(path: string, side = 640): Promise<RgbImage> {
  const image = await decodeImage(await Deno.readFile(path));
  return downscaleBy(image, Math.max(1, Math.ceil(Math.max(image.width, image.height) / side)));
}

function toImagescript(image: RgbImage): Image {
  const out = new Image(image.width, image.height);
  const rgba = out.bitmap, rgb = image.data;
  for (let i = 0, n = image.width * image.height; i < n; i++) {
    rgba[i * 4] = rgb[i * 3];
    rgba[i * 4 + 1] = rgb[i * 3 + 1];
    rgba[i * 4 + 2] = rgb[i * 3 + 2];
    rgba[i * 4 + 3] = 255;
  }
  return out;
}

async function jpeg(image: RgbImage): Promise<Uint8Array> {
  return await toImagescript(image).encodeJPEG(90);
}

/** Turn an upright image 90 degrees counter-clockwise: what EXIF orientation 6 undoes. */
function rotateCounterClockwise(image: RgbImage): RgbImage {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const to = ((w - 1 - x) * h + y) * 3;
      out.set(data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3), to);
    }
  }
  return { width: h, height: w, data: out };
}

function grey(image: RgbImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) {
    const [r, g, b] = image.data.subarray(i * 3, i * 3 + 3);
    out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return out;
}

/** 16 bits per channel, big-endian, the high byte the 8-bit value. */
function widen16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  bytes.forEach((v, i) => {
    out[i * 2] = v;
    out[i * 2 + 1] = v;
  });
  return out;
}

/** Nearest-neighbour enlargement to exactly `width` x `height`. */
function enlarge(image: RgbImage, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor((y * image.height) / height);
    for (let x = 0; x < width; x++) {
      const from = (sy * image.width + Math.floor((x * image.width) / width)) * 3;
      const to = (y * width + x) * 3;
      data[to] = image.data[from];
      data[to + 1] = image.data[from + 1];
      data[to + 2] = image.data[from + 2];
    }
  }
  return { width, height, data };
}

/** A deterministic noise picture: no face in it. */
function noise(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}

/**
 * Build the corpus under `root`.
 *
 * Real photos: per person the first 3 training photos (copied as they are) and 2 test photos;
 * the odd formats are made from further training photos, so no two files hold the same bytes.
 */
export async function makeCorpus(root: string): Promise<Corpus> {
  const train = join(root, "train"), test = join(root, "test");
  const items: CorpusItem[] = [];
  const add = (item: CorpusItem) => items.push(item);
  const source: Record<string, string[]> = {};
  for (const person of PEOPLE) {
    source[person] = sortedNames(join(SHARED, "Train", person)).map((n) =>
      join(SHARED, "Train", person, n)
    );
    await Deno.mkdir(join(train, person), { recursive: true });
    await Deno.mkdir(join(test, person), { recursive: true });
    for (const from of source[person].slice(0, 3)) {
      const to = join(train, person, from.split("/").pop()!);
      await Deno.copyFile(from, to);
      add({ path: to, what: "real photo", expect: "face", label: person });
    }
    for (const name of sortedNames(join(SHARED, "Test", person)).slice(0, 2)) {
      const to = join(test, person, name);
      await Deno.copyFile(join(SHARED, "Test", person, name), to);
      add({ path: to, what: "real photo (test)", expect: "face", label: person });
    }
  }
  const file = async (
    person: string,
    name: string,
    bytes: Uint8Array,
    item: Omit<CorpusItem, "path" | "label">,
    dir = train,
  ) => {
    const path = join(dir, person, name);
    await Deno.writeFile(path, bytes);
    add({ path, label: person, ...item });
    return path;
  };
  const [b, m, p] = PEOPLE;
  const extra = (person: string, i: number) => realPhoto(source[person][3 + i]);

  // Broken files.
  await file(b, "empty.jpg", new Uint8Array(0), {
    what: "zero-byte file",
    expect: "refused",
    reason: /the file is empty \(0 bytes\)/,
  });
  await file(b, "notes.jpg", new TextEncoder().encode("Remember: buy milk.\n"), {
    what: "text file named .jpg",
    expect: "refused",
    reason: /looks like text/,
  });
  const whole = await Deno.readFile(source[m][3]);
  await file(m, "truncated.jpg", whole.subarray(0, Math.floor(whole.length / 3)), {
    what: "truncated JPEG (first third of a real photo)",
    expect: "refused",
    reason: /corrupt or truncated JPEG data/,
  });
  await file(
    p,
    "bomb.png",
    await pngBytes({
      width: 1,
      height: 1,
      colorType: 2,
      bitDepth: 8,
      rows: new Uint8Array(3),
      headerSize: [50000, 50000],
    }),
    {
      what: "PNG whose header claims 50000x50000",
      expect: "refused",
      reason: /50000x50000 \(2500\.0 megapixels\), above the limit of 50\.0 megapixels/,
    },
  );

  // Unusual but valid formats, made from real photos: the face must be found in each.
  await file(m, "Messi ünïcödé 写真 with spaces.jpg", await Deno.readFile(source[m][4]), {
    what: "file name with spaces and non-ASCII characters",
    expect: "face",
  });
  const upright = await extra(m, 2);
  await file(
    m,
    "rotated-exif.jpg",
    jpegWithExif(await jpeg(rotateCounterClockwise(upright)), exifOrientationBlock(6, false)),
    { what: "EXIF-rotated photo (stored on its side, orientation 6)", expect: "face" },
  );
  const g = await extra(p, 0);
  await file(
    p,
    "rgb16.png",
    await pngBytes({
      width: g.width,
      height: g.height,
      colorType: 2,
      bitDepth: 16,
      rows: widen16(g.data),
    }),
    { what: "16-bit RGB PNG", expect: "face" },
  );
  const gray = await extra(p, 1);
  await file(
    p,
    "gray.png",
    await pngBytes({
      width: gray.width,
      height: gray.height,
      colorType: 0,
      bitDepth: 8,
      rows: grey(gray),
    }),
    { what: "8-bit grayscale PNG", expect: "face" },
  );
  const ppm = await extra(p, 2);
  await file(
    p,
    "portrait.ppm",
    concat(ascii(`P6\n${ppm.width} ${ppm.height}\n255\n`), ppm.data),
    { what: "PPM (P6)", expect: "face" },
  );
  const pgm = await extra(p, 3);
  await file(
    p,
    "portrait.pgm",
    concat(ascii(`P5\n${pgm.width} ${pgm.height}\n255\n`), grey(pgm)),
    { what: "PGM (P5, grey)", expect: "face" },
  );
  const tiff = await extra(b, 0);
  await file(
    b,
    "scan.tiff",
    tiffBytes({
      littleEndian: true,
      width: tiff.width,
      height: tiff.height,
      bitsPerSample: [8, 8, 8],
      photometric: 2,
      chunks: [tiff.data],
    }),
    { what: "TIFF (uncompressed RGB)", expect: "face" },
  );
  const gifFace = await extra(b, 1);
  const first = Frame.from(toImagescript(gifFace), 500);
  const second = Frame.from(toImagescript(noise(gifFace.width, gifFace.height)), 500);
  await file(b, "animated.gif", await new GIF([first, second]).encode(), {
    what: "animated GIF (2 frames, the face in the first)",
    expect: "face",
  });
  await file(p, "cmyk.jpg", CMYK_JPEG, { what: "CMYK JPEG (16x8, no face)", expect: "no-face" });
  await file(p, "noise.png", await toImagescript(noise(400, 300)).encode(), {
    what: "image with no face (noise)",
    expect: "no-face",
  });
  const big = await realPhoto(source[p][7], 2000);
  const huge = await file(p, "huge.jpg", await jpeg(enlarge(big, 6000, 8000)), {
    what: "huge valid photo (6000x8000, 48 megapixels)",
    expect: "face",
  });

  // Folders: an empty person, a symlink loop, a link to itself.
  await Deno.mkdir(join(train, "Nobody"));
  await Deno.symlink(".", join(train, m, "loop"));
  await Deno.symlink("self.jpg", join(train, m, "self.jpg"));

  // Test photos that cannot be read either.
  await file(m, "broken.jpg", whole.subarray(0, 600), {
    what: "truncated JPEG (600 bytes)",
    expect: "refused",
    reason: /corrupt or truncated JPEG data|the JPEG decoder/,
  }, test);

  const onePerson = join(root, "one-person");
  await Deno.mkdir(join(onePerson, m), { recursive: true });
  for (const from of source[m].slice(0, 3)) {
    await Deno.copyFile(from, join(onePerson, m, from.split("/").pop()!));
  }
  const noImages = join(root, "no-images");
  for (const person of PEOPLE) {
    await Deno.mkdir(join(noImages, person), { recursive: true });
    await Deno.writeTextFile(join(noImages, person, "README.txt"), "photos go here\n");
  }
  return { train, test, onePerson, noImages, items, huge };
}
