/**
 * The transport conformance suite: one set of assertions every `HttpTransport` adapter must
 * pass, run over real loopback HTTP against the Miro emulator and against a purpose-built
 * fault server (for what the emulator cannot show: the server-side view of a closed socket,
 * repeated headers, raw hostile bytes). Each adapter's test file calls
 * `transportConformance(name, layer)` once.
 */
import * as http from "node:http";
import * as net from "node:net";
import { describe, expect, layer } from "@effect/vitest";
import {
  HttpTransport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
} from "@miro-token/core";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { Cause, Context, Effect, Exit, Fiber, Layer } from "effect";
import fc from "fast-check";
import { errorSurfaces, findLeaks, makeCanaries } from "./Canary.ts";

const MiB = 1024 * 1024;
const CAP = MiB;

/** What the fault server saw of one socket: it closed, after writing this many bytes. */
interface SocketClosed {
  readonly bytesWritten: number;
}

interface Deferred<A> {
  readonly promise: Promise<A>;
  readonly resolve: (value: A) => void;
}

const deferred = <A>(): Deferred<A> => {
  let resolve: (value: A) => void = () => undefined;
  const promise = new Promise<A>((done) => {
    resolve = done;
  });
  return { promise, resolve };
};

const INVALID_UTF8 = Buffer.from([0x68, 0x69, 0xff, 0xfe, 0xc3, 0x28, 0x21, 0xe2, 0x82]);

/**
 * A node:http server on port 0 whose routes misbehave on purpose. Each test uses its own path
 * (`/hang/<n>`), and `closed(path)` resolves when the socket that served `path` closes.
 */
class FaultServer extends Context.Service<
  FaultServer,
  {
    readonly baseUrl: string;
    readonly closed: (path: string) => Promise<SocketClosed>;
    readonly started: (path: string) => Promise<void>;
  }
>()("@miro-token/testkit/FaultServer") {
  static readonly layer = Layer.effect(
    FaultServer,
    Effect.acquireRelease(
      Effect.promise(async () => {
        const closes = new Map<string, Deferred<SocketClosed>>();
        const starts = new Map<string, Deferred<void>>();
        const entry = <A>(map: Map<string, Deferred<A>>, key: string): Deferred<A> => {
          const existing = map.get(key);
          if (existing !== undefined) return existing;
          const created = deferred<A>();
          map.set(key, created);
          return created;
        };
        const server = http.createServer((req, res) => {
          const path = new URL(req.url ?? "/", "http://localhost").pathname;
          const socket = req.socket;
          socket.once("close", () =>
            entry(closes, path).resolve({ bytesWritten: socket.bytesWritten }),
          );
          route(path, req, res, () => entry(starts, path).resolve());
        });
        await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
        const { port } = server.address() as net.AddressInfo;
        return {
          server,
          service: FaultServer.of({
            baseUrl: `http://127.0.0.1:${port}`,
            closed: (path) => entry(closes, path).promise,
            started: (path) => entry(starts, path).promise,
          }),
        };
      }),
      ({ server }) =>
        Effect.promise(() => {
          server.closeAllConnections();
          return new Promise<void>((done) => server.close(() => done()));
        }),
    ).pipe(Effect.map(({ service }) => service)),
  );
}

/** The Miro emulator on port 0, for the same assertions against Miro's real routes. */
class MiroEmulator extends Context.Service<MiroEmulator, Emulator>()(
  "@miro-token/testkit/MiroEmulator",
) {
  static readonly layer = Layer.effect(
    MiroEmulator,
    Effect.acquireRelease(
      Effect.promise(() => startEmulator({ port: 0 })),
      (emulator) => Effect.promise(() => emulator.close()),
    ),
  );
}

const route = (
  path: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  started: () => void,
): void => {
  const [, kind = "", arg = ""] = path.split("/");
  switch (kind) {
    case "echo": {
      const chunks: Array<Buffer> = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            method: req.method,
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
      return;
    }
    case "status": {
      const status = Number(arg);
      res.writeHead(status, { "x-status": arg });
      res.end(status === 204 || status === 304 ? undefined : `status ${arg}`);
      return;
    }
    case "headers":
      res.setHeader("X-Multi", ["a", "b"]);
      res.setHeader("Set-Cookie", ["one=1", "two=2"]);
      // Node's `headers` object keeps only the first of these: an adapter must not.
      res.setHeader("Retry-After", ["1", "2"]);
      res.setHeader("X-Mixed-Case", "Value");
      res.end("ok");
      return;
    case "redirect":
      res.writeHead(302, { location: "/echo" });
      res.end();
      return;
    case "invalid-utf8":
      res.end(INVALID_UTF8);
      return;
    case "reset":
      req.socket.resetAndDestroy();
      return;
    case "truncated":
      res.writeHead(200, { "content-length": "1000" });
      res.write("only ten b", () => req.socket.destroy());
      return;
    case "hang":
      started();
      return;
    case "drip": {
      res.writeHead(200, { "content-type": "text/plain" });
      const timer = setInterval(() => {
        res.write("x");
        started();
      }, 10);
      req.socket.once("close", () => clearInterval(timer));
      return;
    }
    case "oversized": {
      // Chunked, no content-length: the cap must hold while streaming, not by a header check.
      // Paced (one 64 KiB chunk per millisecond, once the last one left the socket) so kernel
      // buffers stay nearly empty and the bytes written approximate the bytes the client read.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let remaining = Number.parseInt(arg, 10);
      const pump = (): void => {
        if (res.destroyed) return;
        if (remaining <= 0) {
          res.end();
          return;
        }
        remaining -= chunk.length;
        res.write(chunk, () => setTimeout(pump, 1));
      };
      pump();
      return;
    }
    default:
      res.writeHead(404);
      res.end();
  }
};

/** A port nothing listens on: bound once, then closed. */
const closedPort = Effect.promise(async () => {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
});

const canaries = makeCanaries();
const secrets = [canaries.accessToken, canaries.refreshToken, canaries.clientSecret];
let unique = 0;
const uniquePath = (kind: string, arg = ""): string =>
  `/${kind}/${arg}${arg === "" ? "" : "-"}${++unique}`;

/** A request carrying a canary in the header and, as a hostile caller might, in the query. */
const request = (url: string, overrides: Partial<TransportRequest> = {}): TransportRequest => ({
  method: "GET",
  url: `${url}?access_token=${canaries.refreshToken}&client_secret=${canaries.clientSecret}`,
  headers: { authorization: `Bearer ${canaries.accessToken}`, accept: "application/json" },
  maxBodyBytes: CAP,
  ...overrides,
});

const send = (req: TransportRequest) => HttpTransport.use((transport) => transport.send(req));

const expectNoLeak = (error: unknown): void => {
  expect(findLeaks(errorSurfaces(error), secrets)).toEqual([]);
};

/** Fails the test unless `req` fails with a leak-free `TransportError` of `kind`. */
const expectTransportError = (req: TransportRequest, kind: TransportError["kind"]) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(send(req));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe(kind);
    expect(error.reason).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(error.endpoint).not.toContain("?");
    expectNoLeak(error);
    return error;
  });

const waitClosed = (server: FaultServer["Service"], path: string) =>
  Effect.promise(() => server.closed(path)).pipe(
    Effect.timeoutOrElse({
      duration: "2 seconds",
      orElse: () => Effect.die(new Error(`the server never saw ${path}'s socket close`)),
    }),
  );

/**
 * Registers the conformance suite for one transport layer.
 *
 * @category conformance
 * @since 0.1.0
 */
export const transportConformance = (name: string, transport: Layer.Layer<HttpTransport>): void => {
  describe(`${name} transport conformance`, () => {
    layer(Layer.merge(transport, FaultServer.layer), { excludeTestServices: true })((it) => {
      it.effect("round-trips status, headers and body of a 200", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const response = yield* send(
            request(`${server.baseUrl}/echo`, {
              headers: { authorization: `Bearer ${canaries.accessToken}`, "x-custom": "Value 1" },
            }),
          );
          expect(response.status).toBe(200);
          expect(response.headers["content-type"]).toBe("application/json");
          const echoed = JSON.parse(response.body);
          expect(echoed.method).toBe("GET");
          expect(echoed.headers["x-custom"]).toBe("Value 1");
          expect(echoed.headers.authorization).toBe(`Bearer ${canaries.accessToken}`);
        }),
      );

      it.effect("returns a 500 and a 404 as normal responses", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const failed = yield* send(request(`${server.baseUrl}/status/500`));
          expect([failed.status, failed.body, failed.headers["x-status"]]).toEqual([
            500,
            "status 500",
            "500",
          ]);
          const missing = yield* send(request(`${server.baseUrl}/status/404`));
          expect(missing.status).toBe(404);
        }),
      );

      it.effect("returns a 204 with an empty body", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const response = yield* send(request(`${server.baseUrl}/status/204`));
          expect([response.status, response.body]).toEqual([204, ""]);
        }),
      );

      it.effect("lower-cases header names and joins repeated headers with ', '", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const { headers } = yield* send(request(`${server.baseUrl}/headers`));
          expect(headers["x-multi"]).toBe("a, b");
          expect(headers["set-cookie"]).toBe("one=1, two=2");
          expect(headers["retry-after"]).toBe("1, 2");
          expect(headers["x-mixed-case"]).toBe("Value");
          expect(Object.keys(headers).every((key) => key === key.toLowerCase())).toBe(true);
        }),
      );

      it.effect("returns a redirect as it is, without following it", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const response = yield* send(request(`${server.baseUrl}/redirect`));
          expect([response.status, response.headers.location]).toEqual([302, "/echo"]);
        }),
      );

      it.effect("sends a form body and a JSON body intact", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const form = `grant_type=refresh_token&refresh_token=${canaries.refreshToken}&x=%C3%BC`;
          const formResponse = yield* send({
            method: "POST",
            url: `${server.baseUrl}/echo`,
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: form,
            maxBodyBytes: CAP,
          });
          const formEcho = JSON.parse(formResponse.body);
          expect([formEcho.method, formEcho.body]).toEqual(["POST", form]);
          expect(formEcho.headers["content-type"]).toBe("application/x-www-form-urlencoded");
          const json = JSON.stringify({ token: canaries.accessToken, note: "ü € 𝄞" });
          const jsonResponse = yield* send({
            method: "POST",
            url: `${server.baseUrl}/echo`,
            headers: { "content-type": "application/json" },
            body: json,
            maxBodyBytes: CAP,
          });
          const jsonEcho = JSON.parse(jsonResponse.body);
          expect(jsonEcho.body).toBe(json);
          expect(jsonEcho.headers["content-length"]).toBe(String(Buffer.byteLength(json)));
        }),
      );

      it.effect("decodes invalid UTF-8 with replacement characters", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const response = yield* send(request(`${server.baseUrl}/invalid-utf8`));
          expect(response.body).toBe(new TextDecoder().decode(INVALID_UTF8));
          expect(response.body).toContain("\uFFFD");
          expect(response.body.startsWith("hi")).toBe(true);
        }),
      );

      it.effect("maps a connection reset to Network", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const error = yield* expectTransportError(request(`${server.baseUrl}/reset`), "Network");
          expect(error.endpoint).toBe(`${server.baseUrl}/reset`);
        }),
      );

      it.effect("maps a refused connection to Network", () =>
        Effect.gen(function* () {
          const port = yield* closedPort;
          const error = yield* expectTransportError(
            request(`http://127.0.0.1:${port}/v1/oauth-token`),
            "Network",
          );
          expect(error.reason).toBe("ECONNREFUSED");
        }),
      );

      it.effect("maps a body shorter than its content-length to Network", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          yield* expectTransportError(request(`${server.baseUrl}/truncated`), "Network");
        }),
      );

      it.effect("aborts a hanging request on timeout and closes its socket", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const path = uniquePath("hang");
          const started = Date.now();
          const exit = yield* send(request(`${server.baseUrl}${path}`)).pipe(
            Effect.timeout("150 millis"),
            Effect.exit,
          );
          expect(Date.now() - started).toBeLessThan(1_000);
          expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("TimeoutError");
          yield* waitClosed(server, path);
        }),
      );

      it.effect("aborts a dripping body when the fiber is interrupted", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const path = uniquePath("drip");
          const fiber = yield* Effect.forkChild(send(request(`${server.baseUrl}${path}`)));
          yield* Effect.promise(() => server.started(path));
          yield* Effect.sleep("50 millis");
          yield* Fiber.interrupt(fiber);
          const exit = yield* Fiber.await(fiber);
          expect(Exit.hasInterrupts(exit)).toBe(true);
          yield* waitClosed(server, path);
        }),
      );

      it.effect("stops reading a 10 MB body at a 1 MiB cap", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const path = uniquePath("oversized", String(10 * MiB));
          const rssBefore = process.memoryUsage().rss;
          const error = yield* expectTransportError(
            request(`${server.baseUrl}${path}`),
            "BodyTooLarge",
          );
          expect(error.reason).toBe("MAX_BODY_BYTES");
          const closed = yield* waitClosed(server, path);
          // The paced server is at most a chunk or two ahead of the client: what it wrote
          // before the socket closed bounds what the client read (cap + one 64 KiB chunk),
          // plus one chunk in flight while the abort propagated and the response head.
          expect(closed.bytesWritten).toBeLessThanOrEqual(CAP + 256 * 1024);
          expect(process.memoryUsage().rss - rssBefore).toBeLessThan(20 * MiB);
        }),
      );

      it.effect("reads a body of exactly the cap", () =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const path = uniquePath("oversized", String(CAP));
          const response = yield* send(request(`${server.baseUrl}${path}`));
          expect(response.body.length).toBe(CAP);
        }),
      );

      describe("never leaks a secret", () => {
        it.effect.each(["\n", "\0", "\r\nx-injected: 1", "\u0100"])(
          "rejects an authorization header ending in %j without echoing it",
          (suffix) =>
            Effect.gen(function* () {
              const server = yield* FaultServer;
              const error = yield* expectTransportError(
                request(`${server.baseUrl}/echo`, {
                  headers: { authorization: `Bearer ${canaries.accessToken}${suffix}` },
                }),
                "Network",
              );
              expect(error.reason).toBe("INVALID_HEADER_VALUE");
            }),
        );

        it.effect("rejects an unparseable URL without echoing it", () =>
          Effect.gen(function* () {
            const error = yield* expectTransportError(
              request(`http://[::1${canaries.accessToken}/v1/oauth-token`),
              "Network",
            );
            expect([error.reason, error.endpoint]).toEqual(["INVALID_URL", "<invalid url>"]);
          }),
        );

        it.effect("rejects a header name that is not a token", () =>
          Effect.gen(function* () {
            const server = yield* FaultServer;
            const error = yield* expectTransportError(
              request(`${server.baseUrl}/echo`, {
                headers: { [`x-${canaries.accessToken}:`]: "1" },
              }),
              "Network",
            );
            expect(error.reason).toBe("INVALID_HEADER_NAME");
          }),
        );
      });

      it.effect(
        "gives only typed, leak-free outcomes for 200 hostile responses",
        () =>
          Effect.gen(function* () {
            const transport = yield* HttpTransport;
            const hostile = yield* Effect.acquireRelease(
              Effect.promise(() => startHostileServer()),
              (server) => Effect.promise(() => server.close()),
            );
            const outcomes = { ok: 0, failed: 0 };
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(hostileResponse, async (response) => {
                  hostile.next = encode(response);
                  const exit = await Effect.runPromiseExit(
                    transport.send(request(`${hostile.baseUrl}/v1/oauth-token`)),
                  );
                  checkHostileOutcome(response, exit);
                  outcomes[Exit.isSuccess(exit) ? "ok" : "failed"]++;
                }),
                { numRuns: 200, seed: 42 },
              ),
            );
            // The generator must exercise both sides of the contract.
            expect(outcomes.ok).toBeGreaterThan(20);
            expect(outcomes.failed).toBeGreaterThan(20);
          }),
        60_000,
      );
    });

    layer(Layer.merge(transport, MiroEmulator.layer), { excludeTestServices: true })(
      "against the Miro emulator",
      (it) => {
        const seedOf = (emulator: Emulator) => {
          const seed = emulator.seed;
          if (seed === undefined) throw new Error("the emulator started without a seed");
          return seed;
        };
        const tokenInfo = (emulator: Emulator, token: string): TransportRequest => ({
          method: "GET",
          url: `${emulator.baseUrl}/v1/oauth-token`,
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
          maxBodyBytes: CAP,
        });
        const expectEmulatorError = (emulator: Emulator, kind: TransportError["kind"]) =>
          Effect.gen(function* () {
            const token = seedOf(emulator).tokens.accessToken;
            const error = yield* Effect.flip(send(tokenInfo(emulator, token)));
            expect(error).toBeInstanceOf(TransportError);
            expect(error.kind).toBe(kind);
            expect(findLeaks(errorSurfaces(error), [token])).toEqual([]);
            return error;
          });

        it.effect("reads token info with the bearer token in the header", () =>
          Effect.gen(function* () {
            const emulator = yield* MiroEmulator;
            const response = yield* send(tokenInfo(emulator, seedOf(emulator).tokens.accessToken));
            expect(response.status).toBe(200);
            expect(response.headers["content-type"]).toContain("application/json");
            expect(JSON.parse(response.body).type).toBe("oAuthToken");
            expect(emulator.requests.at(-1)).toMatchObject({
              method: "GET",
              route: "token-info",
              status: 200,
              secretsInUrl: false,
            });
          }),
        );

        it.effect("sends a refresh grant's form body intact", () =>
          Effect.gen(function* () {
            const emulator = yield* MiroEmulator;
            const { client } = seedOf(emulator);
            const issued = emulator.issueTokens({ clientId: client.clientId });
            const form = new URLSearchParams({
              grant_type: "refresh_token",
              client_id: client.clientId,
              client_secret: client.clientSecret,
              refresh_token: issued.refreshToken ?? "",
            });
            const response = yield* send({
              method: "POST",
              url: `${emulator.baseUrl}/v1/oauth/token`,
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: form.toString(),
              maxBodyBytes: CAP,
            });
            expect(response.status).toBe(200);
            expect(JSON.parse(response.body).access_token).toEqual(expect.any(String));
            expect(emulator.refreshTokenState(issued.refreshToken ?? "")).toBe("rotated");
          }),
        );

        it.effect("sends a v2 revoke's JSON body intact and reads the 204", () =>
          Effect.gen(function* () {
            const emulator = yield* MiroEmulator;
            const { client } = seedOf(emulator);
            const issued = emulator.issueTokens({ clientId: client.clientId });
            const response = yield* send({
              method: "POST",
              url: `${emulator.baseUrl}/v2/oauth/revoke`,
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                accessToken: issued.accessToken,
                clientId: client.clientId,
                clientSecret: client.clientSecret,
              }),
              maxBodyBytes: CAP,
            });
            expect([response.status, response.body]).toEqual([204, ""]);
            expect(emulator.accessTokenState(issued.accessToken)).toBe("revoked");
          }),
        );

        it.effect("returns error statuses and odd bodies as they are", () =>
          Effect.gen(function* () {
            const emulator = yield* MiroEmulator;
            const request = tokenInfo(emulator, seedOf(emulator).tokens.accessToken);
            emulator.queueFault("token-info", {
              kind: "status",
              status: 503,
              headers: { "retry-after": "100000" },
            });
            emulator.queueFault("token-info", { kind: "malformed" });
            emulator.queueFault("token-info", { kind: "html" });
            emulator.queueFault("token-info", { kind: "empty" });
            const unavailable = yield* send(request);
            expect([unavailable.status, unavailable.headers["retry-after"]]).toEqual([
              503,
              "100000",
            ]);
            const malformed = yield* send(request);
            expect(malformed.body).toBe('{"type":"oAuthToken","scopes":[boards:read');
            const html = yield* send(request);
            expect(html.body).toContain("<!DOCTYPE html>");
            const empty = yield* send(request);
            expect([empty.status, empty.body]).toEqual([200, ""]);
          }),
        );

        it.effect("maps a reset and a truncated body to Network", () =>
          Effect.gen(function* () {
            const emulator = yield* MiroEmulator;
            emulator.queueFault("token-info", { kind: "reset" });
            yield* expectEmulatorError(emulator, "Network");
            emulator.queueFault("token-info", { kind: "truncated" });
            yield* expectEmulatorError(emulator, "Network");
          }),
        );

        it.effect("stops a 10 MB body at a 1 MiB cap", () =>
          Effect.gen(function* () {
            const emulator = yield* MiroEmulator;
            emulator.queueFault("token-info", { kind: "oversized", bytes: 10 * MiB });
            const rssBefore = process.memoryUsage().rss;
            yield* expectEmulatorError(emulator, "BodyTooLarge");
            expect(process.memoryUsage().rss - rssBefore).toBeLessThan(20 * MiB);
          }),
        );

        it.effect("ends a hanging request on timeout, and a dripping one on interrupt", () =>
          Effect.gen(function* () {
            const emulator = yield* MiroEmulator;
            const request = tokenInfo(emulator, seedOf(emulator).tokens.accessToken);
            emulator.queueFault("token-info", { kind: "hang" });
            const started = Date.now();
            const hung = yield* send(request).pipe(Effect.timeout("150 millis"), Effect.exit);
            expect(Exit.isFailure(hung) && Cause.pretty(hung.cause)).toContain("TimeoutError");
            emulator.queueFault("token-info", { kind: "drip", intervalMs: 20 });
            const fiber = yield* Effect.forkChild(send(request));
            yield* Effect.sleep("100 millis");
            yield* Fiber.interrupt(fiber);
            expect(Exit.hasInterrupts(yield* Fiber.await(fiber))).toBe(true);
            expect(Date.now() - started).toBeLessThan(1_000);
            // The transport still works afterwards.
            expect((yield* send(request)).status).toBe(200);
          }),
        );
      },
    );
  });
};

/** One generated response: status line, headers, body and how the body is framed. */
interface HostileResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
  readonly framing: "content-length" | "chunked" | "close" | "short" | "garbage";
}

const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

const hostileResponse: fc.Arbitrary<HostileResponse> = fc.record({
  status: fc.integer({ min: 200, max: 599 }),
  headers: fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          "x-a",
          "X-A",
          "set-cookie",
          "retry-after",
          "content-type",
          "content-length",
        ),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
      ),
      fc.stringMatching(/^[\x20-\x7e\x80-\xff]{0,60}$/),
    ),
    { maxLength: 8 },
  ),
  body: fc.oneof(
    fc.constant(new Uint8Array(0)),
    fc.uint8Array({ maxLength: 4096 }),
    fc.string({ unit: "grapheme", maxLength: 200 }).map((text) => Buffer.from(text)),
    fc.integer({ min: CAP + 1, max: 3 * CAP }).map((size) => new Uint8Array(size).fill(0x7b)),
  ),
  framing: fc.constantFrom("content-length", "chunked", "close", "short", "garbage"),
});

const encode = (response: HostileResponse): Buffer => {
  if (response.framing === "garbage")
    return Buffer.concat([Buffer.from("\x00\xffHTTP"), response.body]);
  const lines = [`HTTP/1.1 ${response.status} Hostile`, "connection: close"];
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
  const length = response.body.length;
  if (response.framing === "content-length") lines.push(`content-length: ${length}`);
  if (response.framing === "short") lines.push(`content-length: ${length + 10}`);
  if (response.framing === "chunked") lines.push("transfer-encoding: chunked");
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  if (response.framing !== "chunked") return Buffer.concat([head, response.body]);
  const chunk =
    length === 0
      ? []
      : [Buffer.from(`${length.toString(16)}\r\n`), response.body, Buffer.from("\r\n")];
  return Buffer.concat([head, ...chunk, Buffer.from("0\r\n\r\n")]);
};

const checkHostileOutcome = (
  response: HostileResponse,
  exit: Exit.Exit<TransportResponse, TransportError>,
): void => {
  if (Exit.isFailure(exit)) {
    expect(Cause.hasDies(exit.cause)).toBe(false);
    expect(Cause.hasInterrupts(exit.cause)).toBe(false);
    const error = Cause.squash(exit.cause);
    expect(error).toBeInstanceOf(TransportError);
    expectNoLeak(error);
  }
  const wellFormed =
    response.framing !== "garbage" &&
    response.framing !== "short" &&
    response.headers.every(([name]) => !FRAMING_HEADERS.has(name.toLowerCase()));
  if (wellFormed && response.body.length > CAP) {
    expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toMatchObject({
      kind: "BodyTooLarge",
    });
  }
  if (Exit.isSuccess(exit)) {
    expect(exit.value.status).toBe(response.status);
    expect(Buffer.byteLength(exit.value.body)).toBeLessThanOrEqual(3 * CAP);
  }
};

/** A raw TCP server that answers every request with `next`, byte for byte, then closes. */
const startHostileServer = async () => {
  const sockets = new Set<net.Socket>();
  const state: { next: Uint8Array } = { next: new Uint8Array(0) };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let seen = "";
    socket.on("data", (data) => {
      seen += data.toString("latin1");
      if (!seen.includes("\r\n\r\n")) return;
      seen = "";
      socket.end(state.next);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as net.AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    set next(bytes: Uint8Array) {
      state.next = bytes;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
};
