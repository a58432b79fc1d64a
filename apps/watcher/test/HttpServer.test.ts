/**
 * The HTTP server alone, on a board fed by hand: SSE clients leave the client set when they
 * disconnect, a client that stops reading is cut off once its queue passes the cap (instead of
 * buffering without bound) while a reading client keeps receiving, HEAD works, and keep-alive
 * comments flow.
 */
import { connect } from "node:net";
import type { WatchedStatus } from "@miro-token/core";
import { afterEach, describe, expect, it } from "vitest";
import { startBoardServer, waitFor } from "./Fixtures.ts";
import { connectSse } from "./Sse.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

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
});
