/**
 * Every scripted fault kind observed from a real client, plus queue order, per-route queues
 * before "any", clearing and validation.
 */
import { describe, expect, it } from "vitest";
import {
  bearer,
  call,
  formPost,
  rawRequest,
  refreshGrant,
  seedOf,
  tokenInformationProblems,
  useEmulator,
  waitFor,
} from "./support.ts";

describe("scripted faults", () => {
  const emulator = useEmulator();
  const tokenInfo = (init: RequestInit = {}) =>
    call(emulator(), "/v1/oauth-token", {
      headers: bearer(seedOf(emulator()).tokens.accessToken),
      ...init,
    });

  it("status: answers exactly the scripted status, body and headers, plus rate-limit headers", async () => {
    emulator().queueFault("token-info", {
      kind: "status",
      status: 503,
      body: "maintenance",
      headers: { "retry-after": "7" },
    });
    const response = await tokenInfo();
    expect(response.status).toBe(503);
    expect(response.text).toBe("maintenance");
    expect(response.headers.get("retry-after")).toBe("7");
    expect(response.headers.get("x-ratelimit-limit")).toBe("100000");
    expect((await tokenInfo()).status).toBe(200);
  });

  it("status: without a body answers Miro's error body, and own rate-limit headers win", async () => {
    emulator().queueFault("token-info", {
      kind: "status",
      status: 429,
      headers: { "X-RateLimit-Remaining": "0" },
    });
    const response = await tokenInfo();
    expect(response.json).toEqual({
      status: 429,
      code: "tooManyRequests",
      message: expect.any(String),
      type: "error",
    });
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("delay: waits real time, then answers normally", async () => {
    emulator().queueFault("token-info", { kind: "delay", ms: 150 });
    const started = performance.now();
    const response = await tokenInfo();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
  });

  it("reset: the client sees a connection reset and the log records status 0", async () => {
    emulator().queueFault("token-info", { kind: "reset" });
    await expect(rawRequest(emulator(), "/v1/oauth-token")).rejects.toMatchObject({
      code: "ECONNRESET",
    });
    expect(emulator().requests.at(-1)?.status).toBe(0);
    expect((await tokenInfo()).status).toBe(200);
  });

  it("lost: the refresh takes effect, then the connection resets before the answer", async () => {
    const { client, tokens } = seedOf(emulator());
    emulator().queueFault("token", { kind: "lost" });
    await expect(
      call(emulator(), "/v1/oauth/token", formPost(refreshGrant(client, tokens.refreshToken))),
    ).rejects.toThrow();
    expect(emulator().refreshTokenState(tokens.refreshToken ?? "")).toBe("rotated");
    expect(emulator().accessTokenState(tokens.accessToken)).toBe("rotated");
    expect(emulator().requests.at(-1)?.status).toBe(0);
  });

  it("hang: never answers until the client aborts", async () => {
    emulator().queueFault("token-info", { kind: "hang" });
    await expect(tokenInfo({ signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
      name: "TimeoutError",
    });
    expect(emulator().requests.at(-1)?.status).toBe(0);
  });

  it("hang: close() ends the hanging connection", async () => {
    emulator().queueFault("any", { kind: "hang" });
    const pending = rawRequest(emulator(), "/v1/oauth-token");
    await waitFor(() => emulator().requests.length === 1);
    expect(await emulator().connectionCount()).toBe(1);
    await emulator().close();
    await expect(pending).rejects.toThrow();
  });

  it("malformed: 200 application/json whose body is not JSON", async () => {
    emulator().queueFault("token-info", { kind: "malformed" });
    const response = await tokenInfo();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(() => JSON.parse(response.text)).toThrow(SyntaxError);
  });

  it("truncated: content-length promises more than arrives, then the connection drops", async () => {
    emulator().queueFault("token-info", { kind: "truncated" });
    const response = await fetch(`${emulator().baseUrl}/v1/oauth-token`);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(100);
    await expect(response.text()).rejects.toThrow();
  });

  it("html: 200 text/html", async () => {
    emulator().queueFault("token-info", { kind: "html" });
    const response = await tokenInfo();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.text).toMatch(/^<!DOCTYPE html>/);
  });

  it("empty: 200 with an empty body", async () => {
    emulator().queueFault("token-info", { kind: "empty" });
    const response = await tokenInfo();
    expect(response.status).toBe(200);
    expect(response.text).toBe("");
    expect(response.headers.get("content-length")).toBe("0");
  });

  it("oversized: 200 application/json of exactly the requested size", async () => {
    const bytes = 3 * 1024 * 1024 + 7;
    emulator().queueFault("token-info", { kind: "oversized", bytes });
    const response = await fetch(`${emulator().baseUrl}/v1/oauth-token`);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await response.arrayBuffer();
    expect(body.byteLength).toBe(bytes);
    expect(() => JSON.parse(Buffer.from(body).toString())).not.toThrow();
    emulator().queueFault("token-info", { kind: "oversized", bytes: 5 });
    expect((await tokenInfo()).text).toBe("11111");
  });

  it("drip: the normal body, sent slowly", async () => {
    emulator().queueFault("token-info", { kind: "drip", intervalMs: 30, bytesPerTick: 64 });
    const started = performance.now();
    const response = await tokenInfo();
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(tokenInformationProblems(response.json)).toEqual([]);
    const ticks = Math.ceil(Buffer.byteLength(response.text) / 64) - 1;
    expect(elapsed).toBeGreaterThanOrEqual(ticks * 30 - 10);
  });

  it("consumes faults in order, `times` times, route queue before the any queue", async () => {
    emulator().queueFault("any", { kind: "status", status: 502 });
    emulator().queueFault("token-info", { kind: "status", status: 500 }, 2);
    emulator().queueFault("token-info", { kind: "status", status: 503 });
    const statuses: Array<number> = [];
    for (let i = 0; i < 5; i++) statuses.push((await tokenInfo()).status);
    expect(statuses).toEqual([500, 500, 503, 502, 200]);
  });

  it("targets only its route; any applies to every Miro route but not the control API", async () => {
    emulator().queueFault("revoke-v2", { kind: "status", status: 500 });
    expect((await tokenInfo()).status).toBe(200);
    emulator().queueFault("any", { kind: "status", status: 418 });
    expect((await call(emulator(), "/__emulator/clock")).status).toBe(200);
    expect((await call(emulator(), "/v1/oauth/token", { method: "POST" })).status).toBe(418);
    expect((await call(emulator(), "/v2/oauth/revoke", { method: "POST" })).status).toBe(500);
  });

  it("clearFaults drops every queued fault", async () => {
    emulator().queueFault("token-info", { kind: "status", status: 500 }, 3);
    emulator().clearFaults();
    expect((await tokenInfo()).status).toBe(200);
  });

  it("rejects malformed faults", () => {
    expect(() => emulator().queueFault("token-info", { kind: "nope" } as never)).toThrow(TypeError);
    expect(() => emulator().queueFault("nowhere" as never, { kind: "reset" })).toThrow(TypeError);
    expect(() => emulator().queueFault("token-info", { kind: "delay", ms: -1 })).toThrow(TypeError);
    expect(() => emulator().queueFault("token-info", { kind: "reset" }, 0)).toThrow(TypeError);
  });
});
