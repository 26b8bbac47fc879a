/**
 * The error every decoding failure is reported with, and the internal error decoders throw
 * before the caller's path is known.
 *
 * @module
 */

/** Where an {@linkcode ImageDecodeError} came from and why. */
export interface ImageDecodeErrorOptions {
  /** What was wrong and what to do, without the file name. */
  reason: string;
  /** The file that failed, when the bytes came from a file. */
  path?: string;
  /** The underlying error (a decoder's own message, a file-system error). */
  cause?: unknown;
}

/**
 * Thrown when bytes cannot be turned into an image: unknown format, corrupt data, too large.
 *
 * @example Tell a bad file from other failures
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeImage, ImageDecodeError } from "./mod.ts";
 *
 * const notes = new TextEncoder().encode("shopping list");
 * const error = await decodeImage(notes, { path: "notes.jpg" }).catch((e) => e);
 * assert.ok(error instanceof ImageDecodeError);
 * assert.equal(error.path, "notes.jpg");
 * ```
 */
export class ImageDecodeError extends Error {
  /** The file that failed, when the bytes came from a file. */
  readonly path?: string;
  /** What was wrong and what to do, without the file name. */
  readonly reason: string;

  /** Build the error from a full sentence-case message and its parts. */
  constructor(message: string, options: ImageDecodeErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ImageDecodeError";
    this.reason = options.reason;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** A decoder's complaint about the data; the caller adds the path and turns it into an ImageDecodeError. */
export class FormatError extends Error {
  /** Build it from a reason that says what was wrong and what to do. */
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = "FormatError";
  }
}

/** A FormatError for damaged data, ending with the advice to replace the file. */
export function corrupt(detail: string, cause?: unknown): FormatError {
  return new FormatError(`${detail}; re-export the file or remove it`, { cause });
}

/** A FormatError for a valid file this stage cannot read, ending with the advice to convert it. */
export function unsupported(what: string): FormatError {
  return new FormatError(`${what} is not supported; convert the file to PNG or JPEG`);
}
