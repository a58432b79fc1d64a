/**
 * A refresh token near its 60-day end is renewed once, ahead of it: a stored token whose
 * refresh token was issued 54 days ago (6 days left, under the 7-day margin) is refreshed on
 * the watch loop's first turn, although its access token has an hour to live; the new pair
 * carries a fresh issue time, and no second early refresh follows (the next refresh is the
 * usual one ~55 minutes later). One with 8 days left is left alone. TestClock, emulator over
 * loopback.
 */
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryStore, TokenWatcher, type WatchOptions } from "@miro-token/core";
import { Clock, Effect, Option } from "effect";
import { record } from "./support/Collect.ts";
import { advance, scenario, tokenSetOf } from "./support/Harness.ts";

const DAY = 86_400_000;
const OPTIONS: WatchOptions = {
  interval: "1 minute",
  refreshWindow: "5 minutes",
  refreshJitter: 0,
};

const watchWithAge = (daysOld: number) =>
  Effect.gen(function* () {
    const s = yield* scenario();
    const now = yield* Clock.currentTimeMillis;
    const issued = s.emu.issueTokens({ expiring: true });
    const tokenSet = { ...tokenSetOf(issued, now), refreshTokenIssuedAt: now - daysOld * DAY };
    const store = yield* makeMemoryStore([{ id: "dana", tokenSet }]);
    yield* record(TokenWatcher.watch({ id: "dana", store }, OPTIONS)).pipe(
      Effect.provideContext(s.client),
    );
    yield* advance(s, "20 minutes", "10 seconds");
    const refreshes = () => s.emu.requests.filter((r) => r.route === "token").map((r) => r.time);
    const stored = Option.getOrThrow(yield* store.get("dana"));
    return { s, now, refreshes, stored };
  });

describe("refresh token age", () => {
  it.effect("6 days left: refreshed once on the first turn, then on the usual cadence", () =>
    Effect.gen(function* () {
      const { s, now, refreshes, stored } = yield* watchWithAge(54);
      expect(refreshes()).toHaveLength(1);
      expect(refreshes()[0]! - now).toBeLessThan(60_000);
      expect(stored.generation).toBe(2);
      expect(stored.tokenSet.refreshTokenIssuedAt).toBeGreaterThanOrEqual(now);
      yield* advance(s, "40 minutes", "10 seconds");
      // The next one is the access token's (55 min after the early refresh), not another early one.
      expect(refreshes()).toHaveLength(2);
      expect(refreshes()[1]! - refreshes()[0]!).toBeGreaterThanOrEqual(54 * 60_000);
    }).pipe(Effect.scoped),
  );

  it.effect("8 days left: no early refresh", () =>
    Effect.gen(function* () {
      const { refreshes, stored } = yield* watchWithAge(52);
      expect(refreshes()).toHaveLength(0);
      expect(stored.generation).toBe(1);
    }).pipe(Effect.scoped),
  );
});
