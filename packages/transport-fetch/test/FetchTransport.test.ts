// Fetch-specific behaviour: the injected fetch is the one used, and the cap holds on the bytes
// the transport actually pulls from the body (counted client-side, over a real socket).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest";
import { HttpTransport, type TransportRequest } from "@miro-token/core";
import { countingFetch, streamLargeBody } from "@miro-token/testkit";
import { Effect } from "effect";
import { FetchTransport } from "../src/index.ts";

const MiB = 1024 * 1024;
let server: http.Server;
let baseUrl = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/big") return streamLargeBody(res, 10 * MiB);
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
      const counting = countingFetch();
      let signal: AbortSignal | undefined;
      const layer = FetchTransport.layerWith({
        fetch: (url, init) => {
          signal = init.signal ?? undefined;
          return counting.fetch(url, init);
        },
      });
      const error = yield* Effect.flip(sendWith(layer, get("/big")));
      expect(error.kind).toBe("BodyTooLarge");
      expect(counting.pulled()).toBeGreaterThan(MiB);
      expect(counting.pulled()).toBeLessThanOrEqual(MiB + 64 * 1024);
      expect(signal?.aborted).toBe(true);
    }),
  );
});
