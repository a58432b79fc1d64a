/**
 * The watcher's pure timing: refresh deadlines land in [expiry − window − jitter, expiry −
 * window] on both clocks, probe delays stay in [interval·(1 − jitter), interval], failure
 * delays grow but stay capped, and a deadline is reached by whichever clock gets there first.
 */
import { describe, expect, it } from "@effect/vitest";
import fc from "fast-check";
import { WatchSchedule } from "../src/index.ts";

const params = { seed: 20261127, numRuns: 5_000 };
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("WatchSchedule", () => {
  const schedule = WatchSchedule.resolveWatchOptions({
    interval: "60 seconds",
    jitter: 0.1,
    refreshWindow: "5 minutes",
    refreshJitter: "30 seconds",
  });

  it("resolves the documented defaults", () => {
    expect(WatchSchedule.resolveWatchOptions()).toMatchObject({
      interval: 60_000,
      jitter: 0.1,
      refreshWindow: 300_000,
      refreshJitter: 30_000,
      slowdown: 4,
      concurrency: 16,
      maxRateLimitWait: 60_000,
      refreshTokenAge: { lifetimeMs: 60 * 86_400_000, marginMs: 7 * 86_400_000 },
    });
  });

  it("plans the refresh inside [expiry − window − jitter, expiry − window] on both clocks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        unit,
        (expiresAt, skew, mono, random) => {
          const wall = expiresAt - 3_600_000 + skew;
          const plan = WatchSchedule.planDeadlines(schedule, expiresAt, wall, mono, random);
          const lead = plan.expiresAt - plan.refreshAt;
          return (
            lead >= 300_000 &&
            lead <= 330_000 &&
            plan.expiryMono - plan.refreshAtMono === lead &&
            plan.expiryMono - mono === expiresAt - wall
          );
        },
      ),
      params,
    );
  });

  it("keeps probe delays in [interval·(1 − jitter), interval] times the slowdown", () => {
    fc.assert(
      fc.property(unit, fc.integer({ min: 1, max: 8 }), (random, factor) => {
        const delay = WatchSchedule.probeDelay(schedule, random, factor);
        return delay >= 54_000 * factor - 1 && delay <= 60_000 * factor;
      }),
      params,
    );
  });

  it("puts the next probe on the shared grid inside the jitter window, else where drawn", () => {
    const { PROBE_GRID_MS } = WatchSchedule;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        unit,
        fc.integer({ min: 1, max: 8 }),
        (mono, random, factor) => {
          const at = WatchSchedule.probeAt(schedule, mono, random, factor);
          const drawn = mono + WatchSchedule.probeDelay(schedule, random, factor);
          const earliest = mono + 54_000 * factor;
          const gridPoint = Math.floor(drawn / PROBE_GRID_MS) * PROBE_GRID_MS;
          // The latest grid point in [earliest, drawn] (there is one unless the drawn delay is
          // within a grid step of the window's start), else the drawn time.
          const expected = gridPoint >= earliest ? gridPoint : drawn;
          return at === expected && at >= earliest && drawn - at < PROBE_GRID_MS;
        },
      ),
      params,
    );
    // No jitter: exactly one interval, wherever the grid lies.
    const exact = WatchSchedule.resolveWatchOptions({ interval: "60 seconds", jitter: 0 });
    expect(WatchSchedule.probeAt(exact, 1_234.5, 0.5)).toBe(61_234.5);
  });

  it("backs off after failures, capped at four intervals more", () => {
    fc.assert(
      fc.property(unit, fc.integer({ min: 1, max: 50 }), (random, failures) => {
        const delay = WatchSchedule.failureDelay(schedule, failures, random);
        return delay >= 54_000 - 1 && delay <= 60_000 + 240_000;
      }),
      params,
    );
    expect(WatchSchedule.failureDelay(schedule, 10, 0.999)).toBeGreaterThan(
      WatchSchedule.failureDelay(schedule, 1, 0.999),
    );
  });

  it("reaches a deadline by whichever clock gets there first", () => {
    expect(WatchSchedule.deadlineReached(100, 50, { wall: 100, mono: 0 })).toBe(true);
    expect(WatchSchedule.deadlineReached(100, 50, { wall: 0, mono: 50 })).toBe(true);
    expect(WatchSchedule.deadlineReached(100, 50, { wall: 99, mono: 49 })).toBe(false);
  });
});
