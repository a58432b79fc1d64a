// ky-specific behaviour: the user's instance still runs its hooks, but ky's retry, timeout,
// HTTP errors and prefix are off, whatever that instance says.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest";
import { HttpTransport, type TransportRequest } from "@miro-token/core";
import { countingFetch, streamLargeBody } from "@miro-token/testkit";
import { Effect, type Layer } from "effect";
import ky from "ky";
import { KyTransport } from "../src/index.ts";

const MiB = 1024 * 1024;
let server: http.Server;
let baseUrl = "";
let requests: Array<{ url: string; hook: string | undefined }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? "", hook: req.headers["x-hook"] as string | undefined });
    const [path] = (req.url ?? "").split("?");
    if (path === "/busy") {
      res.writeHead(503, { "retry-after": "100000" });
      return void res.end("busy");
    }
    if (path === "/limited") {
      res.writeHead(429, { "retry-after": "100000" });
      return void res.end("slow down");
    }
    if (path === "/reset") return void req.socket.resetAndDestroy();
    if (path === "/slow") return void setTimeout(() => res.end("late"), 150);
    if (path === "/big") return streamLargeBody(res, 10 * MiB);
    res.end("ok");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  requests = [];
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

const sendWith = (layer: Layer.Layer<HttpTransport>, request: TransportRequest) =>
  HttpTransport.use((transport) => transport.send(request)).pipe(Effect.provide(layer));

describe("KyTransport", () => {
  it.live("runs the instance's beforeRequest and afterResponse hooks", () =>
    Effect.gen(function* () {
      const seen: Array<number> = [];
      const instance = ky.create({
        hooks: {
          beforeRequest: [({ request }) => request.headers.set("x-hook", "before")],
          afterResponse: [({ response }) => void seen.push(response.status)],
        },
      });
      const response = yield* sendWith(KyTransport.layerWith({ ky: instance }), get("/"));
      expect(response.body).toBe("ok");
      expect(requests.map((request) => request.hook)).toEqual(["before"]);
      expect(seen).toEqual([200]);
    }),
  );

  it.live("sends a 503 once and returns it, even from an instance that retries", () =>
    Effect.gen(function* () {
      const eager = ky.create({ retry: { limit: 5, statusCodes: [503] } });
      const response = yield* sendWith(KyTransport.layerWith({ ky: eager }), get("/busy"));
      expect([response.status, response.body]).toEqual([503, "busy"]);
      expect(requests).toHaveLength(1);
    }),
  );

  it.live("sends a reset request once, even from an instance that retries network errors", () =>
    Effect.gen(function* () {
      const eager = ky.create({ retry: { limit: 5, backoffLimit: 1 } });
      const error = yield* Effect.flip(
        sendWith(KyTransport.layerWith({ ky: eager }), get("/reset")),
      );
      expect([error.kind, error.reason]).toEqual(["Network", "ECONNRESET"]);
      expect(requests).toHaveLength(1);
    }),
  );

  it.live("does not wait for Retry-After: 100000", () =>
    Effect.gen(function* () {
      const started = Date.now();
      const limited = yield* sendWith(KyTransport.layer, get("/limited"));
      const busy = yield* sendWith(KyTransport.layer, get("/busy"));
      expect([limited.status, busy.status]).toEqual([429, 503]);
      expect(requests).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(1_000);
    }),
  );

  it.live("ignores the instance's timeout, HTTP errors and prefix", () =>
    Effect.gen(function* () {
      const strict = ky.create({
        timeout: 20,
        throwHttpErrors: true,
        prefix: "http://wrong.invalid/",
      });
      const layer = KyTransport.layerWith({ ky: strict });
      expect((yield* sendWith(layer, get("/slow"))).body).toBe("late");
      expect((yield* sendWith(layer, get("/busy"))).status).toBe(503);
    }),
  );

  it.live("pulls at most cap + 64 KiB through the instance's fetch", () =>
    Effect.gen(function* () {
      const pulls = countingFetch();
      const counting = ky.create({ fetch: pulls.fetch });
      const error = yield* Effect.flip(
        sendWith(KyTransport.layerWith({ ky: counting }), get("/big")),
      );
      expect(error.kind).toBe("BodyTooLarge");
      expect(pulls.pulled()).toBeGreaterThan(MiB);
      expect(pulls.pulled()).toBeLessThanOrEqual(MiB + 64 * 1024);
    }),
  );
});
