/**
 * Reading a file that may be anything: the one algorithm behind every file input of the
 * toolkit (token files, client-secret files, token-set files, store entries). The file must be
 * a regular file — checked with `fstat` on the already opened descriptor, so swapping the path
 * after the check changes nothing — and at most `maxBytes` are accepted: the read stops at
 * `maxBytes + 1` bytes and refuses, so `/dev/zero`, a FIFO, a directory or a huge log file
 * costs neither memory nor time.
 *
 * The caller opens the file (with `O_NONBLOCK`, so opening a FIFO does not wait for a writer)
 * and hands over the two calls this needs; `FileInput.ts` does it for paths, the store for its
 * own `FileHandle`s.
 *
 * @since 0.1.0
 */

/**
 * The two calls a bounded read makes on an open file.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReadableFile {
  /** `fstat` of the open descriptor. */
  readonly stat: () => Promise<{
    isFile(): boolean;
    readonly size: number;
    readonly mtimeMs: number;
  }>;
  /** Read up to `length` bytes into `buffer` at `offset`; 0 at the end of the file. */
  readonly read: (buffer: Uint8Array, offset: number, length: number) => Promise<number>;
}

/**
 * What a bounded read found.
 *
 * @category models
 * @since 0.1.0
 */
export type BoundedText =
  | { readonly _tag: "Text"; readonly text: string; readonly modifiedAt: number }
  | { readonly _tag: "NotRegularFile" }
  | { readonly _tag: "TooLarge"; readonly maxBytes: number };

/** Files that report size 0 (`/proc`) still get a useful first buffer, grown as needed. */
const MIN_BUFFER_BYTES = 256;

/**
 * The file's text (UTF-8), or why it was refused, having read at most `maxBytes + 1` bytes.
 *
 * @category reading
 * @since 0.1.0
 */
export const readBoundedText = async (
  file: ReadableFile,
  maxBytes: number,
): Promise<BoundedText> => {
  const stats = await file.stat();
  if (!stats.isFile()) return { _tag: "NotRegularFile" };
  const limit = maxBytes + 1;
  // Sized by fstat, grown if the file grows while it is read, never past the limit.
  let buffer = new Uint8Array(Math.min(limit, Math.max(MIN_BUFFER_BYTES, stats.size + 1)));
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      if (buffer.length >= limit) break;
      const grown = new Uint8Array(Math.min(limit, buffer.length * 2));
      grown.set(buffer);
      buffer = grown;
    }
    const read = await file.read(buffer, filled, buffer.length - filled);
    if (read === 0) break;
    filled += read;
  }
  if (filled > maxBytes) return { _tag: "TooLarge", maxBytes };
  return {
    _tag: "Text",
    text: new TextDecoder().decode(buffer.subarray(0, filled)),
    modifiedAt: stats.mtimeMs,
  };
};

/**
 * A refusal in words, for error messages: `not a regular file`, `larger than 65536 bytes`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const refusalOf = (found: Exclude<BoundedText, { readonly _tag: "Text" }>): string =>
  found._tag === "NotRegularFile" ? "not a regular file" : `larger than ${found.maxBytes} bytes`;
