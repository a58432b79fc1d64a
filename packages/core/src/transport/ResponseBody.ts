/**
 * Reads a response body as UTF-8 text while counting bytes, and stops as soon as the count
 * passes the cap: a hostile or broken server cannot make a transport buffer more than
 * `maxBytes` plus one network chunk. Invalid UTF-8 becomes U+FFFD, never an exception.
 *
 * Shared by every adapter: the fetch and ky adapters pass a WHATWG `ReadableStream`, the node
 * adapter a Node `Readable` (an `AsyncIterable` of chunks).
 *
 * @since 0.1.0
 */

/**
 * What {@link readBodyCapped} returns when the body is larger than the cap.
 *
 * @category models
 * @since 0.1.0
 */
export const BodyTooLarge: unique symbol = Symbol.for("@miro-token/core/BodyTooLarge");

/**
 * @category models
 * @since 0.1.0
 */
export type BodyTooLarge = typeof BodyTooLarge;

/**
 * A response body in either shape a JavaScript HTTP client hands out.
 *
 * @category models
 * @since 0.1.0
 */
export type BodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

const isReadableStream = (source: BodySource): source is ReadableStream<Uint8Array> =>
  typeof (source as ReadableStream<Uint8Array>).getReader === "function";

/**
 * Reads `source` to the end and decodes it as UTF-8 (with replacement characters), or returns
 * {@link BodyTooLarge} as soon as more than `maxBytes` bytes have arrived. Stopping cancels the
 * stream (or returns the iterator), which lets the HTTP client drop the connection.
 *
 * @category reading
 * @since 0.1.0
 */
export const readBodyCapped = async (
  source: BodySource | null,
  maxBytes: number,
): Promise<string | BodyTooLarge> => {
  if (source === null) return "";
  const decoder = new TextDecoder("utf-8");
  let received = 0;
  let text = "";
  const accept = (chunk: Uint8Array): boolean => {
    received += chunk.byteLength;
    if (received > maxBytes) return false;
    text += decoder.decode(chunk, { stream: true });
    return true;
  };
  if (isReadableStream(source)) {
    const reader = source.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!accept(value)) {
        // Not awaited: a tee'd or stalled stream may never settle its cancel promise.
        reader.cancel().catch(() => undefined);
        return BodyTooLarge;
      }
    }
  } else {
    // Leaving the loop early calls the iterator's `return`, which destroys a Node stream.
    for await (const chunk of source) {
      if (!accept(chunk)) return BodyTooLarge;
    }
  }
  return text + decoder.decode();
};
