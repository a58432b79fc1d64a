/**
 * The compact per-token record of a watch: the {@link WatchState} the planner reads, made
 * writable for the interpreter, plus the scheduler's two slots (due time, heap position) and
 * the fingerprint cache. One plain object per token, where the watcher used to hold a fiber, a
 * stream and a dozen closures; and the pure arithmetic of adopting a token set and of a
 * failure's outcome, which the interpreter applies to it.
 *
 * @since 0.3.0
 */
import { Effect } from "effect";
import type { DueItem } from "./DueHeap.ts";
import type { MiroTokenError, StoreError } from "./Errors.ts";
import type { RefreshError } from "./TokenRefresher.ts";
import { type StoredToken, unresolvedIntent } from "./TokenStore.ts";
import type { WatchNow, WatchState } from "./WatchPlan.ts";
import {
  failureDelay,
  planDeadlines,
  refreshRetryDelay,
  type WatchSchedule,
} from "./WatchSchedule.ts";

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One watched token.
 *
 * @category models
 * @since 0.3.0
 */
export interface WatchRecord extends Writable<WatchState>, DueItem {
  readonly id: string;
  /** The access token's fingerprint, for the generation in `fingerprintOf`. */
  fingerprint: string | undefined;
  fingerprintOf: number;
  /** When the last successful probe was (epoch ms): an unchanged `Active` keeps its object. */
  checkedAt: number;
}

/**
 * Monotonic and wall milliseconds of the Effect `Clock`, read together.
 *
 * @category constructors
 * @since 0.3.0
 */
export const watchNow: Effect.Effect<WatchNow> = Effect.clockWith((clock) =>
  Effect.sync(() => ({
    wall: clock.currentTimeMillisUnsafe(),
    mono: Number(clock.monotonicTimeNanosUnsafe()) / 1_000_000,
  })),
);

/**
 * A record that knows nothing yet: its first action reads the store at `nextProbe`.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeRecord = (id: string, mono: number, nextProbe: number): WatchRecord => ({
  id,
  stored: undefined,
  stale: true,
  status: undefined,
  deadlines: undefined,
  expiryReported: false,
  expiringReported: false,
  refreshRetryAt: undefined,
  intentPending: false,
  refreshedAfterRejection: false,
  aheadTriedFor: undefined,
  failures: 0,
  slow: 1,
  gateKey: id,
  lastEmit: mono,
  nextProbe,
  due: nextProbe,
  slot: -1,
  fingerprint: undefined,
  fingerprintOf: 0,
  checkedAt: 0,
});

/**
 * Adopt `next` as the token set the record holds: fix its deadlines (`random` picks the
 * refresh jitter) and forget what was reported about the previous one.
 *
 * @category watching
 * @since 0.3.0
 */
export const adoptInto = (
  rec: WatchRecord,
  schedule: WatchSchedule,
  next: StoredToken,
  at: WatchNow,
  random: number,
): void => {
  rec.stored = next;
  rec.stale = false;
  rec.intentPending = unresolvedIntent(next) !== undefined;
  rec.gateKey = next.tokenSet.userId ?? rec.gateKey;
  rec.refreshRetryAt = undefined;
  rec.expiryReported = false;
  rec.expiringReported = false;
  const { expiresAt } = next.tokenSet;
  rec.deadlines =
    expiresAt === undefined
      ? undefined
      : planDeadlines(schedule, expiresAt, at.wall, at.mono, random);
};

/** How long a 429 asks us to wait: `Retry-After`, else the reset time, capped. */
const rateLimitWait = (error: { readonly _tag: string }, wall: number, cap: number) => {
  if (error._tag !== "RateLimitedError") return undefined;
  const limited = error as { readonly retryAfter?: number; readonly resetAt?: number };
  const wait = limited.retryAfter ?? (limited.resetAt === undefined ? cap : limited.resetAt - wall);
  return Math.min(cap, Math.max(0, wait));
};

/**
 * The outcome of the `failures`-th consecutive failure at `at`: the event fields, when to try
 * again, and how long to close the user's rate-limit gate (a 429). `expiryMono` makes it a
 * refresh failure (retried before the expiry).
 *
 * @category watching
 * @since 0.3.0
 */
export const failureOutcome = (
  schedule: WatchSchedule,
  failures: number,
  error: MiroTokenError | RefreshError | StoreError,
  at: WatchNow,
  random: number,
  expiryMono?: number,
) => {
  const delay =
    expiryMono === undefined
      ? failureDelay(schedule, failures, random)
      : refreshRetryDelay(schedule, failures, random, expiryMono - at.mono);
  const wait = rateLimitWait(error, at.wall, schedule.maxRateLimitWait);
  return {
    /** The fields of the `ProbeFailed` or `RefreshFailed` event. */
    event: {
      attempt: failures,
      nextCheckAt: at.wall + delay,
      resetAt: wait === undefined ? undefined : at.wall + wait,
    },
    delay,
    at,
    /** When to try again: after the rate-limit wait when there is one. */
    retryAt: at.mono + (wait ?? delay),
    gateUntil: wait === undefined ? undefined : at.mono + wait,
  };
};
