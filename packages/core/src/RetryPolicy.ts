/**
 * The one retry layer: an Effect `Schedule` driven by pure, property-tested functions.
 *
 * - Computed backoff is exponential with full jitter and a cap: before retry n (n = attempts
 *   made so far) the wait is uniform in [0, min(backoffLimit, delay·2^(n-1))].
 * - A server-given wait wins over computed backoff and is never jittered: `Retry-After`
 *   (delta-seconds or IMF-fixdate), then — only on a 429 that reports `X-RateLimit-Remaining: 0`
 *   — `X-RateLimit-Reset` (epoch seconds). A `Retry-After` longer than `maxRetryAfter` fails
 *   fast (we will not sleep for a day); a reset time further away is clamped to
 *   `maxRetryAfter` (clocks drift, windows are coarse). A malformed hint is ignored and the
 *   computed backoff applies.
 * - A retry the policy allows is made only if the process-wide retry quota (`RetryQuota.ts`)
 *   pays for it: the schedule's `pay` hook; when it declines, the last error is returned.
 * - Everything is bounded by the operation's deadline: each attempt gets
 *   min(attemptTimeout, time left), and a retry whose wait would leave less than
 *   {@link MIN_ATTEMPT_MILLIS} before the deadline is not made; the last error is returned.
 *
 * @since 0.1.0
 */
import { Cause, Duration, Effect, Option, Random, Schedule } from "effect";
import type { MiroConfigShape } from "./MiroConfig.ts";
import { parseHeaderInteger } from "./RateLimit.ts";

/**
 * An attempt that would get less time than this is not started.
 *
 * @category constants
 * @since 0.1.0
 */
export const MIN_ATTEMPT_MILLIS = 100;

/**
 * Computed-backoff parameters, in milliseconds.
 *
 * @category models
 * @since 0.1.0
 */
export interface Backoff {
  readonly base: number;
  readonly cap: number;
  /** Full jitter; without it the wait is the ceiling itself. */
  readonly jitter?: boolean;
}

/**
 * The largest wait before retry `attempt` (1 = after the first failure):
 * min(cap, base·2^(attempt-1)).
 *
 * @category backoff
 * @since 0.1.0
 */
export const backoffCeiling = (attempt: number, backoff: Backoff): number =>
  Math.max(0, Math.min(backoff.cap, backoff.base * 2 ** Math.max(0, attempt - 1)));

/**
 * The computed wait before retry `attempt`, given a random number in [0, 1) (values outside
 * are clamped, NaN counts as 0).
 *
 * @category backoff
 * @since 0.1.0
 */
export const delayFor = (attempt: number, backoff: Backoff, random: number): number => {
  const ceiling = backoffCeiling(attempt, backoff);
  if (backoff.jitter === false) return ceiling;
  const r = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  return Math.min(ceiling, r * ceiling);
};

const DELTA_SECONDS = /^\d+$/;
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * A `Retry-After` value (delta-seconds or an IMF-fixdate, surrounding whitespace allowed) as a
 * wait from `now` (epoch ms). A date in the past is a zero wait. `None` when absent or
 * unreadable. Never throws.
 *
 * @category hints
 * @since 0.1.0
 */
export const parseRetryAfter = (
  header: string | undefined,
  now: number,
): Option.Option<Duration.Duration> => {
  if (header === undefined) return Option.none();
  const value = header.trim();
  if (DELTA_SECONDS.test(value)) {
    const seconds = Number(value);
    return Number.isFinite(seconds)
      ? Option.some(Duration.seconds(seconds))
      : Option.some(Duration.infinity);
  }
  if (IMF_FIXDATE.test(value)) {
    const at = Date.parse(value);
    if (Number.isFinite(at)) return Option.some(Duration.millis(Math.max(0, at - now)));
  }
  return Option.none();
};

/**
 * An `X-RateLimit-Reset` value (epoch seconds, digits only) as a wait from `now` (epoch ms).
 * A time in the past is a zero wait. `None` when absent or unreadable. Never throws.
 *
 * @category hints
 * @since 0.1.0
 */
export const parseRateLimitReset = (
  header: string | undefined,
  now: number,
): Option.Option<Duration.Duration> => {
  const seconds = parseHeaderInteger(header);
  return seconds === undefined
    ? Option.none()
    : Option.some(Duration.millis(Math.max(0, seconds * 1000 - now)));
};

/**
 * What the server asked for, after applying `maxRetryAfter`.
 *
 * @category models
 * @since 0.1.0
 */
export type ServerWait =
  | { readonly _tag: "None" }
  | {
      readonly _tag: "Wait";
      readonly millis: number;
      readonly source: "retry-after" | "ratelimit-reset";
    }
  | { readonly _tag: "TooLong"; readonly millis: number };

/**
 * The server's wait for a response: `Retry-After` first; then, on a 429 with
 * `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset`. Results lie in [0, maxRetryAfter], or are
 * `None` (ignore) or `TooLong` (a `Retry-After` beyond `maxRetryAfter`: fail fast).
 *
 * @category hints
 * @since 0.1.0
 */
export const serverWait = (
  response: { readonly status: number; readonly headers: Readonly<Record<string, string>> },
  now: number,
  maxRetryAfterMillis: number,
): ServerWait => {
  const retryAfter = parseRetryAfter(response.headers["retry-after"], now);
  if (Option.isSome(retryAfter)) {
    const millis = Duration.toMillis(retryAfter.value);
    return millis > maxRetryAfterMillis
      ? { _tag: "TooLong", millis }
      : { _tag: "Wait", millis, source: "retry-after" };
  }
  if (
    response.status === 429 &&
    parseHeaderInteger(response.headers["x-ratelimit-remaining"]) === 0
  ) {
    const reset = parseRateLimitReset(response.headers["x-ratelimit-reset"], now);
    if (Option.isSome(reset)) {
      const millis = Math.min(Duration.toMillis(reset.value), maxRetryAfterMillis);
      return { _tag: "Wait", millis, source: "ratelimit-reset" };
    }
  }
  return { _tag: "None" };
};

/**
 * What the schedule needs to know about a failed attempt.
 *
 * @category models
 * @since 0.1.0
 */
export interface RetryInput {
  /** Whether this operation's policy allows retrying this failure at all. */
  readonly retryable: boolean;
  readonly serverWait: ServerWait;
}

/**
 * Why the schedule stopped retrying.
 *
 * @category models
 * @since 0.1.0
 */
export type StopReason =
  | "not-retryable"
  | "attempts"
  | "server-wait-too-long"
  | "deadline"
  | "retry-quota";

/**
 * One step of the schedule.
 *
 * @category models
 * @since 0.1.0
 */
export type RetryDecision =
  | { readonly _tag: "Retry"; readonly delay: number }
  | { readonly _tag: "Stop"; readonly reason: StopReason };

/**
 * Retry limits and timings of one operation call, in milliseconds.
 *
 * @category models
 * @since 0.1.0
 */
export interface RetryLimits {
  readonly maxAttempts: number;
  readonly deadline: number;
  readonly attemptTimeout: number;
  readonly backoff: Backoff;
}

/**
 * The pure retry decision after `attempts` attempts, `elapsed` ms into the call.
 *
 * @category decisions
 * @since 0.1.0
 */
export const decide = (
  input: RetryInput,
  attempts: number,
  elapsed: number,
  limits: RetryLimits,
  random: number,
): RetryDecision => {
  if (!input.retryable) return { _tag: "Stop", reason: "not-retryable" };
  if (attempts >= limits.maxAttempts) return { _tag: "Stop", reason: "attempts" };
  const wait = input.serverWait;
  if (wait._tag === "TooLong") return { _tag: "Stop", reason: "server-wait-too-long" };
  const delay = wait._tag === "Wait" ? wait.millis : delayFor(attempts, limits.backoff, random);
  if (elapsed + delay + MIN_ATTEMPT_MILLIS > limits.deadline)
    return { _tag: "Stop", reason: "deadline" };
  return { _tag: "Retry", delay };
};

/**
 * The time an attempt starting `elapsed` ms into the call may take.
 *
 * @category decisions
 * @since 0.1.0
 */
export const attemptBudget = (elapsed: number, limits: RetryLimits): number =>
  Math.max(0, Math.min(limits.attemptTimeout, limits.deadline - elapsed));

/**
 * The limits of one call from the configuration and the operation's own attempt cap.
 *
 * @category constructors
 * @since 0.1.0
 */
export const limitsFor = (config: MiroConfigShape, operationMaxAttempts: number): RetryLimits => ({
  maxAttempts: Math.max(1, Math.min(operationMaxAttempts, config.retry.limit)),
  deadline: Duration.toMillis(config.deadline),
  attemptTimeout: Duration.toMillis(config.attemptTimeout),
  backoff: {
    base: Duration.toMillis(config.retry.delay),
    cap: Duration.toMillis(config.retry.backoffLimit),
    jitter: config.retry.jitter,
  },
});

/**
 * The schedule for one call started at `startedAt` (epoch ms by Effect `Clock`). Its output is
 * the decision; when it stops, the stop decision is the schedule's final value, which
 * `Effect.retryOrElse` hands to its fallback with the last failure. `pay`, when given, is asked
 * once per retry the policy allows (after the decision, before the wait); `false` stops with
 * `"retry-quota"`.
 *
 * @category schedules
 * @since 0.1.0
 */
export const schedule = <I extends RetryInput = RetryInput>(
  limits: RetryLimits,
  startedAt: number,
  pay?: (input: I) => boolean,
): Schedule.Schedule<RetryDecision, I> =>
  Schedule.fromStepWithMetadata(
    Effect.succeed((meta: Schedule.InputMetadata<I>) =>
      Effect.flatMap(Random.next, (random) => {
        const decided = decide(meta.input, meta.attempt, meta.now - startedAt, limits, random);
        const decision: RetryDecision =
          decided._tag === "Retry" && pay !== undefined && !pay(meta.input)
            ? { _tag: "Stop", reason: "retry-quota" }
            : decided;
        return decision._tag === "Retry"
          ? Effect.succeed([decision, Duration.millis(decision.delay)] as const)
          : Cause.done(decision);
      }),
    ),
  );
