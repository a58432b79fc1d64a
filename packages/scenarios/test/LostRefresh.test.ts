/**
 * RELIABILITY target 17, lost refresh response: the emulator rotates the refresh token and the
 * answer never reaches us (the connection is reset after the server processed it, or the body
 * stalls until core's attempt timeout). Core retries at most once with the same refresh token;
 * Miro says invalid grant; the watcher reports ReauthorizeRequired and never uses the token
 * again. A reset before the server processed anything is retried once and succeeds.
 */
import { describe, expect, it } from "@effect/vitest";
import {
  makeMemoryStore,
  REFRESH_OUTCOME_LOST,
  refresherFor,
  TokenClient,
  type TokenStatus,
  TokenWatcher,
} from "@miro-token/core";
import { Clock, Effect, Option, Redacted } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, type Perturb, type Scenario, scenario, tokenSetOf } from "./support/Harness.ts";

/** A token whose refresh point has already passed: the watcher refreshes at once. */
const dueToken = (s: Scenario) =>
  Effect.gen(function* () {
    const issued = s.emu.issueTokens({ expiring: true });
    const now = yield* Clock.currentTimeMillis;
    const tokenSet = { ...tokenSetOf(issued, now), expiresAt: now + 4 * 60_000 };
    const store = yield* makeMemoryStore([{ id: "bob", tokenSet }]);
    return { issued, store };
  });

const loseFirstRefresh = (): Perturb => {
  let lost = false;
  return (_request, route) => {
    if (route !== "token" || lost) return "pass";
    lost = true;
    return "lose-response";
  };
};

const lostResponseScenario = (s: Scenario) =>
  Effect.gen(function* () {
    const { issued, store } = yield* dueToken(s);
    const statuses = yield* record(
      TokenWatcher.watch({ id: "bob", store }, { interval: "1 minute" }),
    ).pipe(Effect.provideContext(s.client));
    yield* advance(s, "2 minutes", "1 second");
    const refreshes = s.traffic.log.filter((r) => r.route === "token");
    // At most one retry, and it presented the very same refresh token.
    expect(refreshes).toHaveLength(2);
    expect(refreshes[0]?.grant).toBe(issued.refreshToken);
    expect(refreshes[1]?.grant).toBe(issued.refreshToken);
    // Miro did rotate: the pair it issued was lost with the response.
    expect(s.emu.refreshTokenState(issued.refreshToken ?? "")).toBe("rotated");
    const last = statuses.items.at(-1)?.value as TokenStatus | undefined;
    expect(last?._tag).toBe("ReauthorizeRequired");
    // The retry was refused after an ambiguous attempt: the new pair was lost, not refused.
    expect(last?._tag === "ReauthorizeRequired" && last.reason).toBe(REFRESH_OUTCOME_LOST);
    expect(statuses.ended()).toBe(true);
    // Never used again: no request of any kind for an hour, and a direct refresh is refused
    // without a request.
    const requests = s.traffic.log.length;
    yield* advance(s, "60 minutes", "30 seconds");
    const client = yield* TokenClient.pipe(Effect.provideContext(s.client));
    const again = yield* Effect.flip(refresherFor(store, client).refresh("bob", 1));
    expect(again._tag).toBe("ReauthorizeRequiredError");
    expect(s.traffic.log).toHaveLength(requests);
    const stored = Option.getOrThrow(yield* store.get("bob"));
    expect(stored.generation).toBe(1);
    return statuses;
  });

describe("target 17: lost refresh response", () => {
  it.effect("a reset after the server rotated: one retry, then ReauthorizeRequired", () =>
    Effect.gen(function* () {
      const s = yield* scenario({}, loseFirstRefresh());
      const statuses = yield* lostResponseScenario(s);
      expect(tags(statuses.items)).toEqual(["Expiring", "Refreshing", "ReauthorizeRequired"]);
    }).pipe(Effect.scoped),
  );

  it.effect("a body that stalls after the server rotated (real socket, attempt timeout)", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      s.traffic.stallMillis = 50;
      s.emu.queueFault("token", { kind: "drip", intervalMs: 60_000, bytesPerTick: 1 });
      yield* lostResponseScenario(s);
    }).pipe(Effect.scoped),
  );

  it.effect("a reset before the server processed it is retried once and succeeds", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      s.emu.queueFault("token", { kind: "reset" });
      const { issued, store } = yield* dueToken(s);
      const statuses = yield* record(
        TokenWatcher.watch({ id: "bob", store }, { interval: "1 minute" }),
      ).pipe(Effect.provideContext(s.client));
      yield* advance(s, "2 minutes", "1 second");
      const refreshes = s.traffic.log.filter((r) => r.route === "token");
      expect(refreshes.map((r) => r.grant)).toEqual([issued.refreshToken, issued.refreshToken]);
      const stored = Option.getOrThrow(yield* store.get("bob"));
      expect(stored.generation).toBe(2);
      const refreshToken = Redacted.value(stored.tokenSet.refreshToken ?? Redacted.make(""));
      expect(s.emu.refreshTokenState(refreshToken)).toBe("active");
      expect(tags(statuses.items)).toEqual(["Expiring", "Refreshing", "Refreshed", "Active"]);
    }).pipe(Effect.scoped),
  );
});
