/**
 * RELIABILITY target 18, clock jumps: the watcher's wall clock jumps ±2 h or 30 days while its
 * timers and monotonic clock run on (as an NTP step does to a process), and a suspended laptop
 * wakes two hours later with every timer late. Refreshes must follow elapsed time: no refresh
 * storm, no missed refresh (the token never lapses), and the final refresh token stays valid.
 *
 * A jump is made with a Clock that adds an offset to the TestClock's wall time only, as an OS
 * clock step does: timers and the monotonic clock are untouched, and the emulator (Miro) keeps
 * the true time. A suspend is the same wall jump with Miro's clock jumping too: on Linux the
 * monotonic clock stops during suspend, and the pending timer fires as soon as the machine
 * wakes. (`TestClock.setTime` cannot model it: it walks every timer through the gap one by one
 * while real HTTP is in flight.)
 */
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryStore, TokenWatcher, type WatchOptions } from "@miro-token/core";
import { Clock, type Duration, Effect, Option, Redacted, Stream } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, type Scenario, scenario, tokenSetOf } from "./support/Harness.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const OPTIONS: WatchOptions = {
  interval: "1 minute",
  refreshWindow: "5 minutes",
  refreshJitter: "30 seconds",
};

/** A clock whose wall time is the TestClock's plus an offset that `jump` moves. */
const jumpingClock = (base: Clock.Clock) => {
  let offset = 0;
  const wall = () => base.currentTimeMillisUnsafe() + offset;
  // The TestClock's time is fractional after a sleep to a fractional deadline, so nanoseconds
  // come from its own (bigint) reading: `BigInt` of a fractional number throws.
  const wallNanos = () => base.currentTimeNanosUnsafe() + BigInt(offset) * 1_000_000n;
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: wall,
    currentTimeMillis: Effect.sync(wall),
    currentTimeNanosUnsafe: wallNanos,
    currentTimeNanos: Effect.sync(wallNanos),
    monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: Effect.sync(() => base.monotonicTimeNanosUnsafe()),
    sleep: (duration) => base.sleep(duration),
  };
  return {
    clock,
    jump: (ms: number) => {
      offset += ms;
    },
  };
};

/**
 * Watch a fresh token for `before`, jump the watcher's wall clock (and Miro's, for a suspend),
 * watch on for `after`. Refresh times are Miro's (true time).
 */
const watchAcrossJump = (
  s: Scenario,
  jump: number,
  before: Duration.Input,
  after: Duration.Input,
  suspend = false,
) =>
  Effect.gen(function* () {
    const base = yield* Clock.clockWith(Effect.succeed);
    const jumping = jumpingClock(base);
    const issued = s.emu.issueTokens({ expiring: true });
    const store = yield* makeMemoryStore([
      { id: "carol", tokenSet: tokenSetOf(issued, yield* Clock.currentTimeMillis) },
    ]);
    const statuses = yield* record(
      TokenWatcher.watch({ id: "carol", store }, OPTIONS).pipe(
        Stream.provideService(Clock.Clock, jumping.clock),
      ),
    ).pipe(Effect.provideContext(s.client));
    yield* advance(s, before, "5 seconds");
    const jumpedAt = (yield* Clock.currentTimeMillis) + (suspend ? jump : 0);
    jumping.jump(jump);
    if (suspend) s.serverAhead.ms += jump;
    yield* advance(s, after, "5 seconds");
    // A watch stream never ends on its own while its token is valid: ending means it died.
    expect(statuses.ended()).toBe(false);
    const refreshTimes = s.emu.requests.filter((r) => r.route === "token").map((r) => r.time);
    const stored = Option.getOrThrow(yield* store.get("carol"));
    const refreshToken = Redacted.value(stored.tokenSet.refreshToken ?? Redacted.make(""));
    return { statuses, refreshTimes, jumpedAt, refreshToken };
  });

const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe("target 18: clock jumps", () => {
  for (const [name, jump] of [
    ["forward 2 hours", 2 * HOUR],
    ["forward 30 days", 30 * DAY],
  ] as const) {
    it.effect(`wall clock ${name}: one early refresh, then the usual cadence`, () =>
      Effect.gen(function* () {
        const s = yield* scenario();
        const run = yield* watchAcrossJump(s, jump, "10 minutes", "180 minutes");
        // Due by the jumped wall clock: refreshed when the next timer fires (within one probe
        // interval), once, then every ~55 min.
        expect(run.refreshTimes[0]).toBeLessThanOrEqual(run.jumpedAt + MINUTE + 5_000);
        expect(run.refreshTimes).toHaveLength(4);
        for (const gap of gaps(run.refreshTimes)) expect(gap).toBeGreaterThanOrEqual(50 * MINUTE);
        expect(tags(run.statuses.items)).not.toContain("Expired");
        expect(s.emu.refreshTokenState(run.refreshToken)).toBe("active");
      }).pipe(Effect.scoped),
    );
  }

  for (const [name, jump] of [
    ["back 2 hours", -2 * HOUR],
    ["back 30 days", -30 * DAY],
  ] as const) {
    it.effect(`wall clock ${name}: refreshes still follow elapsed time (none missed)`, () =>
      Effect.gen(function* () {
        const s = yield* scenario();
        const run = yield* watchAcrossJump(s, jump, "10 minutes", "180 minutes");
        // Elapsed time says 54.5–55 min after issue, whatever the wall clock says.
        const first = run.refreshTimes[0] ?? Number.NaN;
        expect(first - (run.jumpedAt - 10 * MINUTE)).toBeGreaterThanOrEqual(54.5 * MINUTE - 1);
        expect(first - (run.jumpedAt - 10 * MINUTE)).toBeLessThanOrEqual(55 * MINUTE + 5_000);
        expect(run.refreshTimes).toHaveLength(3);
        for (const gap of gaps(run.refreshTimes)) expect(gap).toBeGreaterThanOrEqual(50 * MINUTE);
        expect(tags(run.statuses.items)).not.toContain("Expired");
        expect(tags(run.statuses.items)).not.toContain("Invalid");
        expect(s.emu.refreshTokenState(run.refreshToken)).toBe("active");
      }).pipe(Effect.scoped),
    );
  }

  it.effect("a laptop asleep for 2 hours refreshes once on waking, never Invalid", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const run = yield* watchAcrossJump(s, 2 * HOUR, "20 minutes", "60 minutes", true);
      // Expired at Miro while asleep: refreshed on waking (one timer later), once; the next
      // one ~55 minutes later.
      expect(run.refreshTimes).toHaveLength(2);
      for (const gap of gaps(run.refreshTimes)) expect(gap).toBeGreaterThanOrEqual(50 * MINUTE);
      expect(run.refreshTimes[0]).toBeGreaterThanOrEqual(run.jumpedAt);
      expect(run.refreshTimes[0]).toBeLessThanOrEqual(run.jumpedAt + MINUTE + 5_000);
      const seen = tags(run.statuses.items);
      expect(seen).not.toContain("Invalid");
      // The wall clock noticed the lost time before a probe met Miro's "tokenExpired".
      expect(seen).not.toContain("Expired");
      expect(seen.slice(-4)).toEqual(["Expiring", "Refreshing", "Refreshed", "Active"]);
      expect(s.emu.refreshTokenState(run.refreshToken)).toBe("active");
    }).pipe(Effect.scoped),
  );
});
