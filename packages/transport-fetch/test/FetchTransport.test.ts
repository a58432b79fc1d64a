// Fetch-specific behaviour: the injected fetch is the one used, and the cap holds on the bytes
// the transport actually pulls from the body (counted client-side, over a real socket).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest";
import { HttpTransport, type TransportRequest } from "@miro-token/core";
import { Effect } from "effect";
import { FetchTransport } from "../src/index.ts";

const MiB = 1024 * 1024;
let server: http.Server;
let baseUrl = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/big") {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      let remaining = 10 * MiB;
      const pump = (): void => {
        while (remaining > 0 && !res.destroyed) {
          remaining -= chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        if (!res.destroyed) res.end();
      };
      return pump();
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ via: req.headers["x-via"] ?? null }));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

const get = (path: string): TransportRequest => ({
  method: "GET",
  url: `${baseUrl}${path}`,
  headers: {},
  maxBodyBytes: MiB,
});

const sendWith = (layer: ReturnType<typeof FetchTransport.layerWith>, request: TransportRequest) =>
  HttpTransport.use((transport) => transport.send(request)).pipe(Effect.provide(layer));

describe("FetchTransport", () => {
  it.live("sends through the injected fetch", () =>
    Effect.gen(function* () {
      const calls: Array<RequestInit> = [];
      const layer = FetchTransport.layerWith({
        fetch: (url, init) => {
          calls.push(init);
          return fetch(url, { ...init, headers: { ...init.headers, "x-via": "injected" } });
        },
      });
      const response = yield* sendWith(layer, get("/"));
      expect(JSON.parse(response.body)).toEqual({ via: "injected" });
      expect(calls).toHaveLength(1);
      expect(calls[0]?.redirect).toBe("manual");
      expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
    }),
  );

  it.live("pulls at most cap + 64 KiB of a 10 MB body, then aborts the request", () =>
    Effect.gen(function* () {
      let pulled = 0;
      let signal: AbortSignal | undefined;
      const layer = FetchTransport.layerWith({
        fetch: async (url, init) => {
          signal = init.signal ?? undefined;
          const response = await fetch(url, init);
          // Pulls from the real body only when the transport asks for a chunk (no read-ahead).
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
      });
      const error = yield* Effect.flip(sendWith(layer, get("/big")));
      expect(error.kind).toBe("BodyTooLarge");
      expect(pulled).toBeGreaterThan(MiB);
      expect(pulled).toBeLessThanOrEqual(MiB + 64 * 1024);
      expect(signal?.aborted).toBe(true);
    }),
  );
});
