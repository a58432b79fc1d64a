/**
 * Credit-based rate limiting: X-RateLimit-* headers on every Miro route, per-user buckets, 429
 * with and without Retry-After, and window resets driven by the emulator clock.
 */
import { describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.ts";
import {
  bearer,
  call,
  type Fetched,
  formPost,
  jsonPost,
  refreshGrant,
  seedOf,
  useEmulator,
} from "./support.ts";

const rateHeaders = (response: Fetched) => ({
  limit: Number(response.headers.get("x-ratelimit-limit")),
  remaining: Number(response.headers.get("x-ratelimit-remaining")),
  reset: Number(response.headers.get("x-ratelimit-reset")),
});

describe("rate limiting", () => {
  const emulator = useEmulator({
    now: Date.UTC(2026, 0, 1, 12, 0, 30),
    rateLimit: { creditsPerMinute: 200, costPerRequest: 50 },
    variants: { retryAfter: "present" },
  });
  const tokenInfo = (token: string) =>
    call(emulator(), "/v1/oauth-token", { headers: bearer(token) });

  it("puts X-RateLimit-* headers on every Miro route, errors included", async () => {
    const { client, tokens } = seedOf(emulator());
    const responses = [
      await tokenInfo(tokens.accessToken),
      await call(emulator(), "/v1/oauth-token"),
      await call(emulator(), "/v1/oauth/revoke?access_token=x", { method: "POST" }),
      await call(emulator(), "/v2/oauth/revoke", jsonPost({})),
      await call(emulator(), "/v1/oauth/token", formPost({ grant_type: "refresh_token" })),
      await call(emulator(), `/oauth/authorize?client_id=${client.clientId}`),
    ];
    for (const response of responses) {
      expect(rateHeaders(response).limit).toBe(200);
      expect(rateHeaders(response).reset).toBe(Date.UTC(2026, 0, 1, 12, 1, 0) / 1000);
      expect(response.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
    }
  });

  it("counts down per user and app, then answers 429 tooManyRequests with Retry-After", async () => {
    const { tokens } = seedOf(emulator());
    const remaining: Array<number> = [];
    for (let i = 0; i < 4; i++)
      remaining.push(rateHeaders(await tokenInfo(tokens.accessToken)).remaining);
    expect(remaining).toEqual([150, 100, 50, 0]);
    const limited = await tokenInfo(tokens.accessToken);
    expect(limited.status).toBe(429);
    // Miro's rate-limit page, verbatim (D-rl1): `context: null` included.
    expect(limited.json).toEqual({
      status: 429,
      code: "tooManyRequests",
      message: "Request rate limit exceed",
      context: null,
      type: "error",
    });
    expect(limited.headers.get("retry-after")).toBe("30");
    expect(rateHeaders(limited).remaining).toBe(0);
    const otherUser = emulator().issueTokens({ userId: "3074457000000000001" });
    expect((await tokenInfo(otherUser.accessToken)).status).toBe(200);
  });

  it("starts a new window after the clock advances past the reset", async () => {
    const { tokens } = seedOf(emulator());
    for (let i = 0; i < 4; i++) await tokenInfo(tokens.accessToken);
    expect((await tokenInfo(tokens.accessToken)).status).toBe(429);
    emulator().clock.advance(30_000);
    const fresh = await tokenInfo(tokens.accessToken);
    expect(fresh.status).toBe(200);
    expect(rateHeaders(fresh).remaining).toBe(150);
    expect(rateHeaders(fresh).reset).toBe(Date.UTC(2026, 0, 1, 12, 2, 0) / 1000);
  });

  it("does not rotate tokens when a refresh is rate limited", async () => {
    const { client, tokens } = seedOf(emulator());
    emulator().configure({ rateLimit: { creditsPerMinute: 0 } });
    const response = await call(
      emulator(),
      "/v1/oauth/token",
      formPost(refreshGrant(client, tokens.refreshToken)),
    );
    expect(response.status).toBe(429);
    expect(emulator().refreshTokenState(tokens.refreshToken ?? "")).toBe("active");
  });
});

describe("429 without Retry-After", () => {
  const exhaust = async (emulator: Emulator): Promise<Fetched> => {
    const token = seedOf(emulator).tokens.accessToken;
    await call(emulator, "/v1/oauth-token", { headers: bearer(token) });
    return call(emulator, "/v1/oauth-token", { headers: bearer(token) });
  };

  it("omits Retry-After by default (Miro documents none), and configure switches it on", async () => {
    const emulator = await startEmulator({ rateLimit: { creditsPerMinute: 50 } });
    try {
      const limited = await exhaust(emulator);
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBeNull();
      expect(limited.headers.get("x-ratelimit-reset")).toMatch(/^\d+$/);
      emulator.configure({ retryAfterOn429: true });
      const again = await call(emulator, "/v1/oauth-token", {
        headers: bearer(seedOf(emulator).tokens.accessToken),
      });
      expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await emulator.close();
    }
  });
});
