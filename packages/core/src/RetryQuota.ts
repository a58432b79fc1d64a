/**
 * The process-wide retry budget (RELIABILITY target 4), modelled on the AWS SDK "standard"
 * retry quota: a bucket of retry tokens shared by every client and the watcher of a process.
 * A retry takes {@link RETRY_QUOTA_DEFAULTS.retryCost} tokens (a retry after an attempt
 * timeout takes {@link RETRY_QUOTA_DEFAULTS.timeoutCost}); when the bucket holds less, the retry
 * is not made and the failure is returned at once. A success puts back what its last retry
 * took, or {@link RETRY_QUOTA_DEFAULTS.successRefund} when it needed no retry.
 *
 * So during an outage 10,000 probes cost about 10,000 requests plus 100 retries (500 / 5),
 * not 30,000; and once Miro answers again, successes refill the bucket.
 *
 * The quota is a `Context.Reference` whose default is one bucket per loaded copy of core
 * (process-wide): nothing needs providing. Provide {@link RetryQuota} with
 * {@link makeRetryQuota} for a bucket of your own (a test, a tenant), or with
 * {@link unlimitedRetryQuota} to turn the budget off.
 *
 * @since 0.1.0
 */
import { Context } from "effect";

/**
 * Bucket size and prices, in retry tokens.
 *
 * @category models
 * @since 0.1.0
 */
export interface RetryQuotaOptions {
  /** Tokens in a full bucket. @default 500 */
  readonly capacity: number;
  /** Price of a retry. @default 5 */
  readonly retryCost: number;
  /** Price of a retry after an attempt timed out. @default 10 */
  readonly timeoutCost: number;
  /** Put back by a success that needed no retry. @default 1 */
  readonly successRefund: number;
}

/**
 * The AWS SDK "standard" mode values.
 *
 * @category constants
 * @since 0.1.0
 */
export const RETRY_QUOTA_DEFAULTS: RetryQuotaOptions = {
  capacity: 500,
  retryCost: 5,
  timeoutCost: 10,
  successRefund: 1,
};

/**
 * A bucket of retry tokens. Synchronous: JavaScript runs one fiber step at a time, so taking
 * and refunding need no lock.
 *
 * @category models
 * @since 0.1.0
 */
export interface RetryQuotaShape {
  readonly options: RetryQuotaOptions;
  /** Tokens in the bucket now. */
  readonly available: () => number;
  /** Take `cost` tokens for one retry; `false`, taking nothing, when fewer are left. */
  readonly tryAcquire: (cost: number) => boolean;
  /** Put `amount` tokens back (never above capacity). */
  readonly release: (amount: number) => void;
}

/**
 * A fresh, full bucket.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRetryQuota = (options: Partial<RetryQuotaOptions> = {}): RetryQuotaShape => {
  const resolved = { ...RETRY_QUOTA_DEFAULTS, ...options };
  let tokens = resolved.capacity;
  return {
    options: resolved,
    available: () => tokens,
    tryAcquire: (cost) => {
      if (cost > tokens) return false;
      tokens -= cost;
      return true;
    },
    release: (amount) => {
      tokens = Math.min(resolved.capacity, tokens + Math.max(0, amount));
    },
  };
};

/**
 * A bucket that never runs dry: every retry the policy allows is made.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unlimitedRetryQuota = (): RetryQuotaShape =>
  makeRetryQuota({ capacity: Number.POSITIVE_INFINITY });

/**
 * The retry quota every operation draws from; by default one bucket shared process-wide.
 *
 * @category services
 * @since 0.1.0
 */
export const RetryQuota: Context.Reference<RetryQuotaShape> = Context.Reference<RetryQuotaShape>(
  "@miro-token/core/RetryQuota",
  { defaultValue: () => makeRetryQuota() },
);
