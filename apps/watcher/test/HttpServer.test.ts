/**
 * The HTTP server alone, on a board fed by hand: SSE clients leave the client set when they
 * disconnect, a client that stops reading is cut off once its queue passes the cap (instead of
 * buffering without bound) while a reading client keeps receiving, HEAD works, and keep-alive
 * comments flow. Oversized headers get 431 and malformed requests 400 before any route runs.
 * `serveHttp` is scoped: closing its scope ends the SSE streams, cuts a request that never
 * finishes its headers after the grace second, and frees the port — nothing is left open.
 */
import { connect, type Socket } from "node:net";
import type { WatchedStatus } from "@miro-token/core";
import { Effect, Exit, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { serveHttp } from "../src/HttpServer.ts";
import { makeMetrics } from "../src/Metrics.ts";
import { makeStatusBoard } from "../src/StatusBoard.ts";
import { boardServerOptions, cleanupsAfterEach, startBoardServer, waitFor } from "./Fixtures.ts";
import { connectSse } from "./Sse.ts";

/** Send `request` raw and collect the answer until the server closes or `until` matches. */
const rawExchange = (port: number, request: string, until = /\r\n\r\n/): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (until.test(text)) socket.destroy();
    });
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
    socket.write(request);
  });

const closedSocket = (socket: Socket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.destroyed) resolve();
    socket.on("close", () => resolve());
  });

const cleanups = cleanupsAfterEach();

const setup = async (options: { maxBufferedBytes?: number; keepAliveInterval?: number } = {}) => {
  const { board, server, stop } = await startBoardServer(options);
  cleanups.push(stop);
  return { board, server };
};

const stopped = (id: string, reason: string): WatchedStatus => ({
  id,
  fingerprint: "f",
  generation: 1,
  status: { _tag: "ReauthorizeRequired", reason },
});

describe("HttpServer", () => {
  it("removes SSE clients on close and sends keep-alive comments", async () => {
    const { server } = await setup({ keepAliveInterval: 50 });
    const a = await connectSse(`${server.url}/events`);
    const b = await connectSse(`${server.url}/events`);
    await waitFor("two clients", () => server.sseClients() === 2);
    await waitFor("a keep-alive", () => a.raw().includes(": keep-alive "));
    a.close();
    await waitFor("one client", () => server.sseClients() === 1);
    b.close();
    await waitFor("no client", () => server.sseClients() === 0);
    const head = await fetch(`${server.url}/tokens`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(0);
    expect(await head.text()).toBe("");
  });

  it("cuts off a client that stops reading, and keeps serving one that reads", async () => {
    const { board, server } = await setup({ maxBufferedBytes: 256 * 1024 });
    const request = `GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    // A reading client that only counts status events (nothing kept: ~80 MB flow through it).
    const reader = connect(server.port, "127.0.0.1");
    reader.write(request);
    let received = 0;
    let carry = "";
    reader.setEncoding("utf8");
    reader.on("data", (chunk: string) => {
      const text = carry + chunk;
      received += text.split("\nevent: status\n").length - 1;
      carry = text.slice(-20);
    });
    const stalled = connect(server.port, "127.0.0.1");
    stalled.write(request);
    stalled.pause();
    let stalledClosed = false;
    stalled.on("close", () => {
      stalledClosed = true;
    });
    stalled.on("error", () => undefined);
    cleanups.push(() => {
      reader.destroy();
      stalled.destroy();
    });
    await waitFor("two clients", () => server.sseClients() === 2);

    // 2,500 events of ~32 KB: 80 MB, more than loopback socket buffers hold. Between two
    // events the reader gets its turn to read.
    const reason = "x".repeat(32 * 1024);
    for (let i = 0; i < 2_500; i++) {
      board.apply(stopped(`t${i % 50}`, `${i} ${reason}`), i);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor("reader got every event", () => received === 2_500, 15_000);
    expect(server.sseClients()).toBe(1);
    // Reading now, the stalled client finds its connection closed by the server.
    stalled.resume();
    await waitFor("stalled connection closed", () => stalledClosed);
  });

  it("answers 431 to oversized headers and 400 to a malformed request", async () => {
    const { server } = await setup();
    const big = await rawExchange(
      server.port,
      `GET /tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    const bad = await rawExchange(server.port, "NOT HTTP AT ALL\r\n\r\n");
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    // Still serving.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe("serveHttp", () => {
  it("closing its scope ends SSE streams, cuts an unfinished request and frees the port", async () => {
    const board = makeStatusBoard();
    const metrics = makeMetrics({ board });
    cleanups.push(metrics.close);
    const scope = Effect.runSync(Scope.make());
    cleanups.push(() => Effect.runPromise(Scope.close(scope, Exit.void)));
    const served = await Effect.runPromise(
      serveHttp(boardServerOptions(board, metrics)).pipe(Scope.provide(scope)),
    );
    const sse = await connectSse(`${served.url}/events`);
    cleanups.push(sse.close);
    await waitFor("the snapshot", () => sse.messages.length > 0);
    expect(served.sseClients()).toBe(1);
    // A request whose headers never end: not idle, so only the grace period ends it.
    const unfinished = connect(served.port, "127.0.0.1");
    unfinished.on("error", () => undefined);
    unfinished.write("GET /tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    cleanups.push(() => {
      unfinished.destroy();
    });
    // An idle keep-alive connection.
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);

    const started = performance.now();
    await Effect.runPromise(Scope.close(scope, Exit.void));
    const took = performance.now() - started;
    expect(took).toBeLessThan(2_500);
    expect(sse.ended()).toBe(true);
    expect(served.sseClients()).toBe(0);
    await closedSocket(unfinished);
    await expect(fetch(`${served.url}/healthz`)).rejects.toThrow();
  });

  it("fails with HttpServeError when the port is taken, naming the system's code", async () => {
    const { server } = await setup();
    const board = makeStatusBoard();
    const metrics = makeMetrics({ board });
    cleanups.push(metrics.close);
    const exit = await Effect.runPromiseExit(
      Effect.scoped(serveHttp(boardServerOptions(board, metrics, { port: server.port }))),
    );
    expect(Exit.isFailure(exit)).toBe(true);
    const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined;
    expect(error?._tag === "Fail" ? error.error : undefined).toMatchObject({
      _tag: "HttpServeError",
      code: "EADDRINUSE",
    });
  });
});
