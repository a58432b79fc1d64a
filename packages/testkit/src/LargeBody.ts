/**
 * Test tools for the response-body cap: a server side that streams a large body as fast as
 * the client takes it, and a client-side `fetch` wrapper that counts the body bytes a transport
 * actually pulled — with no read-ahead, so the count is what the transport asked for.
 */
import type { ServerResponse } from "node:http";

/** Streams `bytes` bytes of `b` in 64 KiB chunks, honouring backpressure, until done or destroyed. */
export const streamLargeBody = (res: ServerResponse, bytes: number): void => {
  res.writeHead(200);
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  let remaining = bytes;
  const pump = (): void => {
    while (remaining > 0 && !res.destroyed) {
      remaining -= chunk.length;
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
};

/** A `fetch` whose response bodies count the bytes pulled through them. */
export interface CountingFetch {
  readonly fetch: typeof fetch;
  /** Body bytes pulled so far, across every response. */
  readonly pulled: () => number;
}

/**
 * Wraps `base` (the global `fetch` by default): each response body is re-exposed as a stream
 * that pulls one chunk from the real body only when its reader asks (`highWaterMark: 0`).
 */
export const countingFetch = (base: typeof fetch = fetch): CountingFetch => {
  let pulled = 0;
  return {
    pulled: () => pulled,
    fetch: async (input, init) => {
      const response = await base(input, init);
      const reader = response.body!.getReader();
      const counted = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const { done, value } = await reader.read();
            if (done) return controller.close();
            pulled += value.byteLength;
            controller.enqueue(value);
          },
          cancel: (reason) => reader.cancel(reason),
        },
        { highWaterMark: 0 },
      );
      return new Response(counted, { status: response.status, headers: response.headers });
    },
  };
};
