/**
 * Miro's rate-limit headers (`X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`
 * in epoch seconds), read from every response and returned with results and errors.
 *
 * Parsing is strict and total: a value that is not a plain non-negative decimal integer
 * (padded, signed, fractional, NaN, absurdly large) is ignored, and nothing here throws.
 *
 * @since 0.1.0
 */

/**
 * What the last response said about the caller's quota. Each field is absent when its header
 * was missing or unreadable.
 *
 * @category models
 * @since 0.1.0
 */
export interface RateLimit {
  /** Credits per window. */
  readonly limit?: number;
  /** Credits left in the window. */
  readonly remaining?: number;
  /** When the window resets, epoch milliseconds. */
  readonly resetAt?: number;
}

const PLAIN_INTEGER = /^\d{1,15}$/;

/**
 * A header value as a non-negative integer, or `undefined` unless it is exactly digits.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseHeaderInteger = (value: string | undefined): number | undefined =>
  value !== undefined && PLAIN_INTEGER.test(value) ? Number(value) : undefined;

/**
 * Read the rate-limit headers of a response (header names lower case, as the transport
 * delivers them). `undefined` when none is readable.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseRateLimit = (
  headers: Readonly<Record<string, string>>,
): RateLimit | undefined => {
  const limit = parseHeaderInteger(headers["x-ratelimit-limit"]);
  const remaining = parseHeaderInteger(headers["x-ratelimit-remaining"]);
  const resetSeconds = parseHeaderInteger(headers["x-ratelimit-reset"]);
  if (limit === undefined && remaining === undefined && resetSeconds === undefined)
    return undefined;
  const rateLimit: { -readonly [K in keyof RateLimit]: RateLimit[K] } = {};
  if (limit !== undefined) rateLimit.limit = limit;
  if (remaining !== undefined) rateLimit.remaining = remaining;
  if (resetSeconds !== undefined) rateLimit.resetAt = resetSeconds * 1000;
  return rateLimit;
};
