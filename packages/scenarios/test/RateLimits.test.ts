/**
 * RELIABILITY target 19, rate-limit respect: when Miro answers `X-RateLimit-Remaining: 0` with
 * a reset 30 s away (on a 200, or as a 429), no request for that user goes out before the
 * reset (±1 s); after it, the polls that queued up are spread out so that no 1 s window holds
 * more than 10% of them. Also target 18's second half: a reset time hours away is clamped to
 * `maxRateLimitWait` (60 s), and a low remaining count slows probing down.
 */
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryStore, TokenStore, TokenWatcher } from "@miro-token/core";
import type { IssuedTokens } from "@miro-token/emulator";
import { Clock, Effect, Layer, Redacted } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, type Scenario, scenario, tokenSetOf } from "./support/Harness.ts";

const SECOND = 1_000;

const tokenInfoBody = (issued: IssuedTokens) => {
  const entity = (type: string, id: string) => ({ type, name: `${type} name`, id });
  return JSON.stringify({
    type: "oAuthToken",
    team: entity("team", issued.teamId),
    createdBy: entity("user", issued.userId),
    user: entity("user", issued.userId),
    scopes: issued.scope.split(" "),
  });
};

/** Queue a "quota spent, resets at `resetAt`" answer for the next token-info request. */
const spendQuota = (s: Scenario, issued: IssuedTokens, resetAt: number, status: 200 | 429) =>
  s.emu.queueFault("token-info", {
    kind: "status",
    status,
    ...(status === 200 ? { body: tokenInfoBody(issued) } : {}),
    headers: {
      "x-ratelimit-limit": "100000",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(Math.floor(resetAt / SECOND)),
      ...(status === 429
        ? { "retry-after": String(Math.ceil((resetAt - s.emu.clock.now()) / SECOND)) }
        : {}),
    },
  });

const probeTimes = (s: Scenario) =>
  s.traffic.log.filter((r) => r.route === "token-info").map((r) => r.at);

describe("target 19: rate-limit respect", () => {
  for (const status of [200, 429] as const) {
    it.effect(`remaining 0 on a ${status}: no request before the reset, then probing resumes`, () =>
      Effect.gen(function* () {
        const s = yield* scenario();
        const issued = s.emu.issueTokens({ expiring: false });
        const statuses = yield* record(
          TokenWatcher.watch(Redacted.make(issued.accessToken), { interval: "5 seconds" }),
        ).pipe(Effect.provideContext(s.client));
        yield* advance(s, "20 seconds", "100 millis");
        const resetAt = (yield* Clock.currentTimeMillis) + 35 * SECOND;
        spendQuota(s, issued, resetAt, status);
        const before = probeTimes(s).length;
        yield* advance(s, "2 minutes", "100 millis");
        const after = probeTimes(s).slice(before);
        const spent = after[0] ?? Number.NaN;
        // The spent-quota answer came within one interval, 30–35 s before the reset.
        expect(resetAt - spent).toBeGreaterThanOrEqual(30 * SECOND);
        const early = after.slice(1).filter((t) => t < resetAt - SECOND);
        expect(early).toEqual([]);
        // Resumed after the reset, within one (jittered) interval.
        const resumed = after[1] ?? Number.NaN;
        expect(resumed).toBeGreaterThanOrEqual(resetAt - SECOND);
        expect(resumed).toBeLessThanOrEqual(resetAt + 6 * SECOND);
        expect(tags(statuses.items)).not.toContain("Invalid");
        if (status === 429) expect(tags(statuses.items)).toContain("RateLimited");
        expect(tags(statuses.items).at(-1)).toBe("Active");
      }).pipe(Effect.scoped),
    );
  }

  it.effect("a reset hours away is clamped to maxRateLimitWait (60 s)", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const issued = s.emu.issueTokens({ expiring: false });
      yield* record(
        TokenWatcher.watch(Redacted.make(issued.accessToken), { interval: "5 seconds" }),
      ).pipe(Effect.provideContext(s.client));
      yield* advance(s, "10 seconds", "1 second");
      spendQuota(s, issued, (yield* Clock.currentTimeMillis) + 3 * 3_600_000, 200);
      const before = probeTimes(s).length;
      yield* advance(s, "3 minutes", "1 second");
      const after = probeTimes(s).slice(before);
      const gap = (after[1] ?? Number.NaN) - (after[0] ?? Number.NaN);
      expect(gap).toBeGreaterThanOrEqual(59 * SECOND);
      expect(gap).toBeLessThanOrEqual(66 * SECOND);
    }).pipe(Effect.scoped),
  );

  it.effect("a low X-RateLimit-Remaining slows probing down", () =>
    Effect.gen(function* () {
      const s = yield* scenario({ rateLimit: { creditsPerMinute: 1_000_000, costPerRequest: 50 } });
      const issued = s.emu.issueTokens({ expiring: false });
      yield* record(
        TokenWatcher.watch(Redacted.make(issued.accessToken), {
          interval: "10 seconds",
          jitter: 0,
          lowRemainingThreshold: 1_000_000,
          slowdown: 4,
        }),
      ).pipe(Effect.provideContext(s.client));
      yield* advance(s, "10 minutes", "1 second");
      // Always below the threshold: one probe per 40 s instead of per 10 s.
      const probes = probeTimes(s).length;
      expect(probes).toBeGreaterThanOrEqual(15);
      expect(probes).toBeLessThanOrEqual(17);
    }).pipe(Effect.scoped),
  );

  it.effect("100 tokens of one user: the queued polls are spread out after the reset", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const now = yield* Clock.currentTimeMillis;
      const tokens = Array.from({ length: 100 }, (_, i) => {
        const issued = s.emu.issueTokens({ expiring: false });
        return { id: `user-token-${i}`, issued, tokenSet: tokenSetOf(issued, now) };
      });
      const store = Layer.effect(TokenStore, makeMemoryStore(tokens));
      const first = tokens[0]?.issued;
      if (first === undefined) throw new Error("no tokens");
      const events = yield* record(
        TokenWatcher.watchMany({ interval: "60 seconds", concurrency: 8 }),
      ).pipe(Effect.provide(store), Effect.provideContext(s.client));
      yield* advance(s, "90 seconds", "1 second");
      const resetAt = (yield* Clock.currentTimeMillis) + 30 * SECOND;
      spendQuota(s, first, resetAt, 200);
      const before = probeTimes(s).length;
      yield* advance(s, "100 seconds", "100 millis");
      const after = probeTimes(s).slice(before);
      const spent = after[0] ?? Number.NaN;
      // Requests sent in the same 100 ms step as the spent answer were already on their way.
      expect(after.filter((t) => t > spent + 100 && t < resetAt - SECOND)).toEqual([]);
      const queued = after.filter((t) => t >= resetAt - SECOND && t < resetAt + 61 * SECOND);
      expect(queued.length).toBeGreaterThanOrEqual(90);
      const busiest = Math.max(
        ...queued.map((t) => queued.filter((u) => u >= t && u < t + SECOND).length),
      );
      expect(busiest).toBeLessThanOrEqual(queued.length / 10);
      // Events name tokens by id and fingerprint, never by value.
      const fingerprints = new Set(events.items.map((e) => e.value.fingerprint));
      expect(fingerprints.size).toBe(100);
      for (const e of events.items) expect(e.value.fingerprint).toMatch(/^[0-9a-f]{8}$/);
      expect(JSON.stringify(events.items)).not.toContain(first.accessToken.slice(-16));
    }).pipe(Effect.scoped),
  );
});
