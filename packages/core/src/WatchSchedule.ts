/**
 * When the watcher acts: its options, and the pure arithmetic of probe cadence, backoff and
 * refresh deadlines.
 *
 * Clock jumps and sleeping laptops. A refresh deadline is fixed once, when a token set is
 * adopted: the time left (`expiresAt` − wall now) becomes a deadline on the monotonic clock,
 * which wall-clock jumps do not move. The wall-clock deadline is kept beside it and whichever
 * comes first wins, because a suspended machine's monotonic clock stops while the server's
 * clock runs on. A forward wall jump can so cause one early refresh, never a storm: the new
 * pair's deadlines are computed afresh from the jumped clock. A backward jump changes nothing.
 *
 * @since 0.1.0
 */
import { Duration } from "effect";
import {
  DEFAULT_REFRESH_TOKEN_MARGIN_MS,
  MIRO_REFRESH_TOKEN_LIFETIME_MS,
} from "./RefreshTokenAge.ts";
import { type Backoff, delayFor } from "./RetryPolicy.ts";

/**
 * Options of `TokenWatcher.watch` and `watchMany`.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatchOptions {
  /** Probe cadence. @default 60 seconds */
  readonly interval?: Duration.Input | undefined;
  /** Each probe waits `interval` shortened by up to this fraction (0–1). @default 0.1 */
  readonly jitter?: number | undefined;
  /** Refresh this long before expiry. @default 5 minutes */
  readonly refreshWindow?: Duration.Input | undefined;
  /**
   * Refresh up to this much earlier still, at random, so tokens issued together do not refresh
   * together: the refresh lands in [expiry − window − refreshJitter, expiry − window].
   * @default 30 seconds
   */
  readonly refreshJitter?: Duration.Input | undefined;
  /**
   * Probe `slowdown` times less often while `X-RateLimit-Remaining` is below this many
   * credits. @default 10% of `X-RateLimit-Limit`
   */
  readonly lowRemainingThreshold?: number | undefined;
  /** @default 4 */
  readonly slowdown?: number | undefined;
  /** Re-emit the current status when nothing changed for this long. @default none */
  readonly heartbeat?: Duration.Input | undefined;
  /** Most requests in flight at once, across all tokens (`watchMany`). @default 16 */
  readonly concurrency?: number | undefined;
  /** How often `watchMany` re-lists the store for added and removed tokens. @default interval */
  readonly rescanInterval?: Duration.Input | undefined;
  /** Longest wait for a rate-limit reset we trust. @default 60 seconds */
  readonly maxRateLimitWait?: Duration.Input | undefined;
  /** How long a refresh token lives after it was issued (Miro: 60 days). @default 60 days */
  readonly refreshTokenLifetime?: Duration.Input | undefined;
  /**
   * Refresh once when the refresh token has less than this left (with a known issue time),
   * however far the access token's expiry is. @default 7 days
   */
  readonly refreshTokenMargin?: Duration.Input | undefined;
}

/**
 * Options with every default applied, in milliseconds.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatchSchedule {
  readonly interval: number;
  readonly jitter: number;
  readonly refreshWindow: number;
  readonly refreshJitter: number;
  readonly lowRemainingThreshold: number | undefined;
  readonly slowdown: number;
  readonly heartbeat: number | undefined;
  readonly concurrency: number;
  readonly rescanInterval: number;
  readonly maxRateLimitWait: number;
  readonly refreshTokenAge: { readonly lifetimeMs: number; readonly marginMs: number };
}

const millis = (input: Duration.Input | undefined, fallback: Duration.Input): number =>
  Math.max(0, Duration.toMillis(Duration.fromInputUnsafe(input ?? fallback)));

/**
 * Apply the defaults.
 *
 * @category constructors
 * @since 0.1.0
 */
export const resolveWatchOptions = (options: WatchOptions = {}): WatchSchedule => {
  const interval = Math.max(1, millis(options.interval, "60 seconds"));
  return {
    interval,
    jitter: Math.min(1, Math.max(0, options.jitter ?? 0.1)),
    refreshWindow: millis(options.refreshWindow, "5 minutes"),
    refreshJitter: millis(options.refreshJitter, "30 seconds"),
    lowRemainingThreshold: options.lowRemainingThreshold,
    slowdown: Math.max(1, options.slowdown ?? 4),
    heartbeat: options.heartbeat === undefined ? undefined : millis(options.heartbeat, 0),
    concurrency: Math.max(1, Math.floor(options.concurrency ?? 16)),
    rescanInterval: millis(options.rescanInterval, interval),
    maxRateLimitWait: millis(options.maxRateLimitWait, "60 seconds"),
    refreshTokenAge: {
      lifetimeMs: millis(options.refreshTokenLifetime, MIRO_REFRESH_TOKEN_LIFETIME_MS),
      marginMs: millis(options.refreshTokenMargin, DEFAULT_REFRESH_TOKEN_MARGIN_MS),
    },
  };
};

/**
 * The wait before the next probe: `interval` shortened by up to `jitter` of it, times
 * `factor` (the rate-limit slowdown). `random` is in [0, 1).
 *
 * @category schedule
 * @since 0.1.0
 */
export const probeDelay = (schedule: WatchSchedule, random: number, factor = 1): number =>
  Math.round(schedule.interval * factor * (1 - schedule.jitter * random));

/**
 * The grid regular probes are aligned to, in milliseconds of the monotonic clock. Probes that
 * fall due on one grid point are dispatched together: one wake-up of the process (and of the
 * server) for a batch instead of one per probe, which on a watch of thousands of tokens costs
 * several times less CPU per probe than probes spread evenly over the interval.
 *
 * @category constants
 * @since 0.4.0
 */
export const PROBE_GRID_MS = 100;

/**
 * When to probe next after a probe at monotonic time `mono`: `mono` plus a {@link probeDelay},
 * moved back to the latest {@link PROBE_GRID_MS} grid point that still lies in the jitter
 * window [interval·(1 − jitter), interval] × `factor` (so tokens share wake-ups), or left as
 * drawn when no grid point does (no jitter, or a window narrower than the grid).
 *
 * @category schedule
 * @since 0.4.0
 */
export const probeAt = (
  schedule: WatchSchedule,
  mono: number,
  random: number,
  factor = 1,
): number => {
  const drawn = mono + probeDelay(schedule, random, factor);
  const earliest = mono + schedule.interval * factor * (1 - schedule.jitter);
  return onGrid(drawn, earliest);
};

/**
 * The latest {@link PROBE_GRID_MS} grid point at or before `at` that is not before `earliest`,
 * else `at` itself.
 *
 * @category schedule
 * @since 0.4.0
 */
export const onGrid = (at: number, earliest: number): number => {
  const snapped = Math.floor(at / PROBE_GRID_MS) * PROBE_GRID_MS;
  return snapped >= earliest ? snapped : at;
};

/**
 * The wait after the `failures`-th consecutive failure: a regular probe delay plus core's
 * capped exponential backoff with full jitter (base one interval, at most four).
 *
 * @category schedule
 * @since 0.1.0
 */
export const failureDelay = (schedule: WatchSchedule, failures: number, random: number): number => {
  const backoff: Backoff = { base: schedule.interval, cap: 4 * schedule.interval };
  return probeDelay(schedule, random) + Math.round(delayFor(failures, backoff, random));
};

/**
 * Fewest milliseconds between two attempts to refresh one token.
 *
 * @category constants
 * @since 0.1.0
 */
export const REFRESH_RETRY_FLOOR = 10_000;

/**
 * The wait before retrying a failed refresh: the {@link failureDelay}, but while the access
 * token is still valid at most half the time it has left (and at least
 * {@link REFRESH_RETRY_FLOOR}), so the retries close in on the expiry instead of passing it.
 *
 * @category schedule
 * @since 0.1.0
 */
export const refreshRetryDelay = (
  schedule: WatchSchedule,
  failures: number,
  random: number,
  timeLeft: number | undefined,
): number => {
  const delay = failureDelay(schedule, failures, random);
  if (timeLeft === undefined || timeLeft <= 0) return delay;
  return Math.min(delay, Math.max(REFRESH_RETRY_FLOOR, Math.round(timeLeft / 2)));
};

/**
 * The deadlines of one adopted token set.
 *
 * @category models
 * @since 0.1.0
 */
export interface Deadlines {
  /** Wall-clock expiry and refresh point (epoch ms), for display and for suspend detection. */
  readonly expiresAt: number;
  readonly refreshAt: number;
  /** The same two on the monotonic clock. */
  readonly expiryMono: number;
  readonly refreshAtMono: number;
}

/**
 * Fix the deadlines of a token set that expires at `expiresAt`, adopted at wall time `wall`
 * and monotonic time `mono`. The refresh lead is `refreshWindow` plus `random` × `refreshJitter`.
 *
 * @category schedule
 * @since 0.1.0
 */
export const planDeadlines = (
  schedule: WatchSchedule,
  expiresAt: number,
  wall: number,
  mono: number,
  random: number,
): Deadlines => {
  const lead = schedule.refreshWindow + Math.floor(random * schedule.refreshJitter);
  const expiryMono = mono + (expiresAt - wall);
  return { expiresAt, refreshAt: expiresAt - lead, expiryMono, refreshAtMono: expiryMono - lead };
};

/**
 * Whether a point whose deadlines are `wallDeadline` and `monoDeadline` has been reached:
 * whichever clock reaches it first.
 *
 * @category schedule
 * @since 0.1.0
 */
export const deadlineReached = (
  wallDeadline: number,
  monoDeadline: number,
  now: { readonly wall: number; readonly mono: number },
): boolean => now.mono >= monoDeadline || now.wall >= wallDeadline;
