/**
 * The watch planner, `planNext(state, schedule, now, gate)`: fast-check properties over random
 * token states and times (fixed seed), like those of `transition` and `RetryPolicy.decide` —
 * a terminal status stops; a due refresh is never held back, not by a probe and not by a
 * closed gate; an unresolved intent is never probed over; a stale entry is read before a probe;
 * a sleep wakes in the future, no later than the earliest deadline and one (slowed) interval,
 * and nothing falls due before it; and, run against a world where every action succeeds,
 * the plan always reaches a sleep in a few steps (no livelock) and reports an expiry once.
 */
import { describe, expect, it } from "@effect/vitest";
import { Redacted } from "effect";
import fc from "fast-check";
import { type TokenStatus, WatchSchedule } from "../src/index.ts";
import { makeRecord, planNext, type WatchAction, type WatchState } from "../src/internal.ts";

const params = { seed: 20261130, numRuns: 3_000 };
const schedule = WatchSchedule.resolveWatchOptions({
  interval: "60 seconds",
  heartbeat: "10 minutes",
});
const HOUR = 3_600_000;
const WALL0 = 1_767_225_600_000;

const statusOf = (tag: TokenStatus["_tag"]): TokenStatus => {
  switch (tag) {
    case "Active":
      return { _tag: "Active", checkedAt: WALL0, info: {} as never };
    case "Invalid":
      return { _tag: "Invalid", status: 401 };
    case "Stopped":
      return { _tag: "Stopped", reason: "removed" };
    case "ReauthorizeRequired":
      return { _tag: "ReauthorizeRequired", reason: "invalid grant" };
    default:
      return { _tag: "Expired" };
  }
};

/** A state and a time whose two clocks agree with the deadlines (no clock jump since). */
const stateAndNow = fc
  .record({
    mono: fc.integer({ min: 0, max: 10 * HOUR }),
    hasToken: fc.boolean(),
    refreshable: fc.boolean(),
    expiresIn: fc.option(fc.integer({ min: -HOUR, max: 2 * HOUR }), { nil: undefined }),
    stale: fc.boolean(),
    status: fc.option(
      fc.constantFrom(
        "Active",
        "Expired",
        "Invalid",
        "Stopped",
        "ReauthorizeRequired",
      ) as fc.Arbitrary<TokenStatus["_tag"]>,
      { nil: undefined },
    ),
    expiryReported: fc.boolean(),
    expiringReported: fc.boolean(),
    retryIn: fc.option(fc.integer({ min: -HOUR, max: HOUR }), { nil: undefined }),
    intentPending: fc.boolean(),
    slow: fc.constantFrom(1, 4),
    emittedAgo: fc.integer({ min: 0, max: HOUR }),
    probeIn: fc.integer({ min: -HOUR, max: 5 * 60_000 }),
    gateIn: fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: undefined }),
  })
  .map((r) => {
    const wall = WALL0 + r.mono;
    const expiresAt = r.expiresIn === undefined ? undefined : wall + r.expiresIn;
    const lead = schedule.refreshWindow;
    const state: WatchState = {
      stored: r.hasToken
        ? {
            id: "t",
            generation: 1,
            updatedAt: 0,
            tokenSet: {
              accessToken: Redacted.make("a"),
              ...(r.refreshable ? { refreshToken: Redacted.make("r") } : {}),
              ...(expiresAt === undefined ? {} : { expiresAt }),
              scopes: [],
            },
          }
        : undefined,
      stale: r.stale,
      status: r.status === undefined ? undefined : statusOf(r.status),
      deadlines:
        expiresAt === undefined || !r.hasToken
          ? undefined
          : {
              expiresAt,
              refreshAt: expiresAt - lead,
              expiryMono: r.mono + r.expiresIn!,
              refreshAtMono: r.mono + r.expiresIn! - lead,
            },
      expiryReported: r.expiryReported,
      expiringReported: r.expiringReported,
      refreshRetryAt: r.retryIn === undefined ? undefined : r.mono + r.retryIn,
      intentPending: r.intentPending,
      refreshedAfterRejection: false,
      aheadTriedFor: undefined,
      failures: 0,
      slow: r.slow,
      gateKey: "user",
      lastEmit: r.mono - r.emittedAgo,
      nextProbe: r.mono + r.probeIn,
    };
    const gate = r.gateIn === undefined ? undefined : r.mono + r.gateIn;
    return { state, now: { wall, mono: r.mono }, gate };
  });

const isTerminalTag = (state: WatchState) =>
  ["Invalid", "Stopped", "ReauthorizeRequired"].includes(state.status?._tag ?? "");
const refreshable = (state: WatchState) => state.stored?.tokenSet.refreshToken !== undefined;

describe("planNext: properties over random token states", () => {
  it("stops on a terminal status, and only there", () => {
    fc.assert(
      fc.property(stateAndNow, ({ state, now, gate }) => {
        const action = planNext(state, schedule, now, gate);
        return (action._tag === "Done") === isTerminalTag(state);
      }),
      params,
    );
  });

  it("never holds back a due refresh, neither for a probe nor behind a closed gate", () => {
    fc.assert(
      fc.property(stateAndNow, ({ state, now, gate }) => {
        if (isTerminalTag(state) || state.stored === undefined || !refreshable(state)) return true;
        const retryDue = state.refreshRetryAt !== undefined && state.refreshRetryAt <= now.mono;
        const pointDue =
          state.refreshRetryAt === undefined &&
          state.deadlines !== undefined &&
          state.deadlines.refreshAtMono <= now.mono;
        if (!retryDue && !pointDue) return true;
        return planNext(state, schedule, now, gate)._tag === "Refresh";
      }),
      params,
    );
  });

  it("never probes over an unresolved refresh intent, and reads a stale entry before probing", () => {
    fc.assert(
      fc.property(stateAndNow, ({ state, now, gate }) => {
        const action = planNext(state, schedule, now, gate);
        if (action._tag !== "Probe") return true;
        const resolving =
          state.intentPending && state.deadlines !== undefined && refreshable(state);
        return !resolving && !state.stale && state.nextProbe <= now.mono && gate === undefined;
      }),
      params,
    );
  });

  it("cuts a probe short exactly when the refresh falls due", () => {
    fc.assert(
      fc.property(stateAndNow, ({ state, now, gate }) => {
        const action = planNext(state, schedule, now, gate);
        if (action._tag !== "Probe") return true;
        const due = refreshable(state)
          ? (state.refreshRetryAt ?? state.deadlines?.refreshAtMono)
          : undefined;
        return due === undefined
          ? action.timeoutAfter === undefined
          : action.timeoutAfter === due - now.mono && action.timeoutAfter > 0;
      }),
      params,
    );
  });

  it("defers a due probe behind a closed gate to the gate's reopening", () => {
    fc.assert(
      fc.property(stateAndNow, ({ state, now, gate }) => {
        const action = planNext(state, schedule, now, gate);
        if (action._tag !== "Defer") return true;
        return gate !== undefined && action.reopensAt === gate && state.nextProbe <= now.mono;
      }),
      params,
    );
  });

  it("sleeps into the future, at most one slowed interval, no later than a deadline, and nothing falls due before it", () => {
    fc.assert(
      fc.property(
        stateAndNow,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        ({ state, now, gate }, fraction) => {
          const action = planNext(state, schedule, now, gate);
          if (action._tag !== "Sleep") return true;
          if (action.until <= now.mono) return false;
          if (state.stored === undefined) return action.until === state.nextProbe;
          if (action.until > now.mono + schedule.interval * state.slow) return false;
          const plan = state.deadlines;
          if (
            plan !== undefined &&
            !state.expiryReported &&
            action.until > Math.max(plan.expiryMono, now.mono + 1)
          )
            return false;
          const d = Math.floor(fraction * (action.until - now.mono));
          const later = planNext(state, schedule, { wall: now.wall + d, mono: now.mono + d }, gate);
          return later._tag === "Sleep" && later.until >= action.until;
        },
      ),
      params,
    );
  });
});

/** Runs the plan against a world where every action succeeds at once; returns the actions. */
const runUntilSleep = (
  start: WatchState,
  now: { wall: number; mono: number },
  gate: number | undefined,
) => {
  let state = start;
  const actions: Array<WatchAction> = [];
  for (let i = 0; i < 10; i++) {
    const action = planNext(state, schedule, now, gate);
    actions.push(action);
    switch (action._tag) {
      case "Done":
      case "Sleep":
        return actions;
      case "Read":
        state = {
          ...state,
          stale: false,
          stored: state.stored ??
            start.stored ?? {
              id: "t",
              generation: 1,
              updatedAt: 0,
              tokenSet: { accessToken: Redacted.make("a"), scopes: [] },
            },
        };
        break;
      case "Probe":
        state = { ...state, stale: false, nextProbe: now.mono + schedule.interval };
        break;
      case "Defer":
        state = { ...state, nextProbe: action.reopensAt };
        break;
      case "Refresh": {
        const expiresAt = now.wall + HOUR;
        state = {
          ...state,
          refreshRetryAt: undefined,
          intentPending: false,
          expiryReported: false,
          expiringReported: false,
          deadlines: {
            expiresAt,
            refreshAt: expiresAt - schedule.refreshWindow,
            expiryMono: now.mono + HOUR,
            refreshAtMono: now.mono + HOUR - schedule.refreshWindow,
          },
        };
        break;
      }
      case "ReportExpiring":
        state = { ...state, expiringReported: true };
        break;
      case "ReportExpired":
        state = { ...state, expiryReported: true };
        break;
      case "Heartbeat":
        state = { ...state, lastEmit: now.mono };
        break;
    }
  }
  return actions;
};

describe("planNext: run against a world where every action succeeds", () => {
  it("reaches a sleep (or stops) within a few actions, reporting an expiry at most once", () => {
    fc.assert(
      fc.property(stateAndNow, ({ state, now, gate }) => {
        const actions = runUntilSleep(state, now, gate);
        const last = actions.at(-1)?._tag;
        if (last !== "Sleep" && last !== "Done") return false;
        return actions.filter((a) => a._tag === "ReportExpired").length <= 1;
      }),
      params,
    );
  });

  it("plans one probe per interval for a quiet token", () => {
    const state: WatchState = {
      ...makeRecord("t", 0, 60_000),
      stored: {
        id: "t",
        generation: 1,
        updatedAt: 0,
        tokenSet: { accessToken: Redacted.make("a"), scopes: [] },
      },
      stale: false,
    };
    expect(planNext(state, schedule, { wall: WALL0, mono: 0 }, undefined)).toEqual({
      _tag: "Sleep",
      until: 60_000,
    });
    expect(planNext(state, schedule, { wall: WALL0 + 60_000, mono: 60_000 }, undefined)).toEqual({
      _tag: "Probe",
      timeoutAfter: undefined,
    });
  });
});
