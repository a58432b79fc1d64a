/**
 * What a watched token does next, as one pure function: `planNext(state, schedule, now, gate)`
 * looks at what the watcher knows about one token and the time, and names the next action —
 * read the store, probe, refresh, report a near or past expiry, re-emit on the heartbeat,
 * hold a probe back behind a closed rate-limit gate, sleep until a given instant, or stop.
 * It decides; it never acts. The interpreter (`TokenWatchLoop.ts`) runs the action and records
 * its outcome in the state; the scheduler (`WatchScheduler.ts`) runs that interpreter for many
 * tokens from one due-time heap. Properties of this function are tested with fast-check, like
 * those of `transition` and `RetryPolicy.decide`.
 *
 * Order of precedence, when several things are due at once: a due refresh (or the one early
 * refresh of a refresh token near its end) beats everything; a probe due behind a closed gate
 * is deferred past the reset instead; a token that cannot be refreshed is reported `Expiring`
 * at its refresh point; a reached expiry is reported once; then the probe (a read of the store
 * first, when what we hold may be stale); then the heartbeat; else sleep until the earliest of
 * those, never longer than one (slowed) interval.
 *
 * @since 0.3.0
 */
import { isRefreshTokenExpiring } from "./RefreshTokenAge.ts";
import { isTerminal, type TokenStatus } from "./TokenStatus.ts";
import type { StoredToken } from "./TokenStore.ts";
import { type Deadlines, deadlineReached, type WatchSchedule } from "./WatchSchedule.ts";

/**
 * What the watcher knows about one token: everything {@link planNext} decides from. The
 * interpreter owns and updates it; the planner only reads it.
 *
 * @category models
 * @since 0.3.0
 */
export interface WatchState {
  /** The token set last read from the store, or nothing yet. */
  readonly stored: StoredToken | undefined;
  /** What we hold may be older than the store: read it before the next probe. */
  readonly stale: boolean;
  readonly status: TokenStatus | undefined;
  /** The adopted token set's expiry and refresh point, when it has an expiry. */
  readonly deadlines: Deadlines | undefined;
  readonly expiryReported: boolean;
  /** `Expiring` reported for a token without a refresh token. */
  readonly expiringReported: boolean;
  /** A refresh to retry (or forced by a rejection) at this monotonic time. */
  readonly refreshRetryAt: number | undefined;
  /** The store holds an unresolved refresh intent: no probe, the refresh resolves it. */
  readonly intentPending: boolean;
  /** Miro rejected the token and a refresh was tried since: the next rejection is final. */
  readonly refreshedAfterRejection: boolean;
  /** The refresh token issue time an early refresh was tried for: once per refresh token. */
  readonly aheadTriedFor: number | undefined;
  readonly failures: number;
  /** The rate-limit slowdown factor applied to the probe cadence (1 or `slowdown`). */
  readonly slow: number;
  /** The rate-limit gate (Miro's quota bucket: the user) of this token. */
  readonly gateKey: string;
  /** When the last status was emitted (monotonic ms). */
  readonly lastEmit: number;
  /** When the next probe is due (monotonic ms). */
  readonly nextProbe: number;
}

/**
 * The next action of one token.
 *
 * @category models
 * @since 0.3.0
 */
export type WatchAction =
  | { readonly _tag: "Done" }
  | { readonly _tag: "Read" }
  /** Probe token info; abandon it, unreported, after `timeoutAfter` ms (a refresh is due). */
  | { readonly _tag: "Probe"; readonly timeoutAfter: number | undefined }
  /** Refresh; `ahead`: the one early refresh of a refresh token near its end. */
  | { readonly _tag: "Refresh"; readonly ahead: boolean }
  /** The gate of the token's user is closed until `reopensAt`: move the probe past it. */
  | { readonly _tag: "Defer"; readonly reopensAt: number }
  | { readonly _tag: "ReportExpiring" }
  | { readonly _tag: "ReportExpired" }
  | { readonly _tag: "Heartbeat" }
  /** Nothing to do before monotonic time `until` (always later than now). */
  | { readonly _tag: "Sleep"; readonly until: number };

/**
 * The current time on both clocks.
 *
 * @category models
 * @since 0.3.0
 */
export interface WatchNow {
  readonly wall: number;
  readonly mono: number;
}

const isRefreshable = (state: WatchState): boolean =>
  state.stored?.tokenSet.refreshToken !== undefined;

/**
 * When the next refresh is due (monotonic ms): a retry's time, else the refresh point; none
 * for a token without a refresh token.
 *
 * @category planning
 * @since 0.3.0
 */
export const refreshDueAt = (state: WatchState): number | undefined =>
  isRefreshable(state) ? (state.refreshRetryAt ?? state.deadlines?.refreshAtMono) : undefined;

/**
 * The next action of the token in `state` at `now`. `gateReopensAt` is when the rate-limit
 * gate of the token's user reopens (monotonic ms), or `undefined` when it is open.
 *
 * @category planning
 * @since 0.3.0
 */
export const planNext = (
  state: WatchState,
  schedule: WatchSchedule,
  now: WatchNow,
  gateReopensAt: number | undefined,
): WatchAction => {
  if (state.status !== undefined && isTerminal(state.status)) return { _tag: "Done" };
  const current = state.stored;
  if (current === undefined) {
    return now.mono >= state.nextProbe
      ? { _tag: "Read" }
      : { _tag: "Sleep", until: state.nextProbe };
  }
  const plan = state.deadlines;
  const refreshable = isRefreshable(state);
  const resolving = state.intentPending && plan !== undefined && refreshable;
  const refreshDue =
    refreshable &&
    (state.refreshRetryAt === undefined
      ? resolving ||
        (plan !== undefined && deadlineReached(plan.refreshAt, plan.refreshAtMono, now))
      : now.mono >= state.refreshRetryAt);
  // A refresh token near its end (60 days for Miro) is renewed once, ahead of it.
  const aheadDue =
    plan !== undefined &&
    refreshable &&
    state.refreshRetryAt === undefined &&
    current.tokenSet.refreshTokenIssuedAt !== state.aheadTriedFor &&
    isRefreshTokenExpiring(current.tokenSet, now.wall, schedule.refreshTokenAge);
  const probeDue = !resolving && now.mono >= state.nextProbe;
  if (probeDue && !refreshDue && gateReopensAt !== undefined) {
    // A refresh is not held back (it is rare, and letting the token lapse costs more).
    return { _tag: "Defer", reopensAt: gateReopensAt };
  }
  if (refreshDue || aheadDue) return { _tag: "Refresh", ahead: aheadDue };
  if (plan !== undefined && !refreshable && !state.expiringReported) {
    if (deadlineReached(plan.refreshAt, plan.refreshAtMono, now)) return { _tag: "ReportExpiring" };
  }
  if (plan !== undefined && !state.expiryReported) {
    if (deadlineReached(plan.expiresAt, plan.expiryMono, now)) return { _tag: "ReportExpired" };
  }
  const refreshAt = refreshDueAt(state);
  if (probeDue) {
    if (state.stale) return { _tag: "Read" };
    return {
      _tag: "Probe",
      timeoutAfter: refreshAt === undefined ? undefined : refreshAt - now.mono,
    };
  }
  const heartbeatAt =
    schedule.heartbeat === undefined ? undefined : state.lastEmit + schedule.heartbeat;
  if (heartbeatAt !== undefined && now.mono >= heartbeatAt && state.status !== undefined) {
    return { _tag: "Heartbeat" };
  }
  let wake = resolving ? Number.POSITIVE_INFINITY : state.nextProbe;
  if (heartbeatAt !== undefined) wake = Math.min(wake, heartbeatAt);
  if (refreshAt !== undefined) wake = Math.min(wake, refreshAt);
  if (plan !== undefined && !state.expiryReported) wake = Math.min(wake, plan.expiryMono);
  if (plan !== undefined && !refreshable && !state.expiringReported) {
    wake = Math.min(wake, plan.refreshAtMono);
  }
  const sleep = Math.max(1, Math.min(wake - now.mono, schedule.interval * state.slow));
  return { _tag: "Sleep", until: now.mono + sleep };
};
