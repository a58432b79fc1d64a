/**
 * Miro's credit-based rate limit: each user–app pair (a "bucket") gets `creditsPerMinute`
 * credits per one-minute window and every request costs `costPerRequest`. Windows are aligned
 * to whole minutes of the emulator clock, so `X-RateLimit-Reset` is the epoch second where the
 * current minute ends and advancing the clock by 60 s always starts a new window. Buckets of
 * past windows are dropped when a new window begins, so memory stays bounded.
 */
import type { EmulatorClock } from "./Clock.ts";

/** Rate-limit settings (the public `rateLimit` option). */
export interface RateLimitSettings {
  creditsPerMinute: number;
  costPerRequest: number;
}

/** The outcome of charging one request to a bucket. */
export interface RateCharge {
  /** False when the bucket had too few credits left; nothing was charged then. */
  readonly allowed: boolean;
  /** `X-RateLimit-*` headers (and `Retry-After` is up to the caller). */
  readonly headers: Readonly<Record<string, string>>;
  /** Whole seconds until the window resets (at least 1). */
  readonly retryAfterSeconds: number;
}

/** Default settings: Miro's documented 100,000 credits per minute, level-1 cost of 50. */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitSettings> = Object.freeze({
  creditsPerMinute: 100_000,
  costPerRequest: 50,
});
const WINDOW_MS = 60_000;

/** Per-bucket credit accounting on the emulator clock. */
export class RateLimiter {
  readonly #clock: EmulatorClock;
  readonly settings: RateLimitSettings;
  #window = Number.NaN;
  readonly #spent = new Map<string, number>();

  /** A limiter on `clock` with (mutable) `settings`. */
  constructor(clock: EmulatorClock, settings: RateLimitSettings) {
    this.#clock = clock;
    this.settings = settings;
  }

  /** Charges one request to `bucket` if it has enough credits left. */
  charge(bucket: string): RateCharge {
    const now = this.#clock.now();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.#window) {
      this.#window = window;
      this.#spent.clear();
    }
    const { creditsPerMinute, costPerRequest } = this.settings;
    const spent = this.#spent.get(bucket) ?? 0;
    const allowed = spent + costPerRequest <= creditsPerMinute;
    const after = allowed ? spent + costPerRequest : spent;
    if (allowed) this.#spent.set(bucket, after);
    const resetMs = (window + 1) * WINDOW_MS;
    return {
      allowed,
      retryAfterSeconds: Math.max(1, Math.ceil((resetMs - now) / 1000)),
      headers: {
        "X-RateLimit-Limit": String(creditsPerMinute),
        "X-RateLimit-Remaining": String(Math.max(0, creditsPerMinute - after)),
        "X-RateLimit-Reset": String(resetMs / 1000),
      },
    };
  }
}

/** Validates a partial rate-limit patch; throws a TypeError naming the bad field. */
export const checkRateLimitPatch = (patch: Partial<RateLimitSettings>): void => {
  for (const [name, value] of Object.entries(patch)) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new TypeError(`rateLimit.${name} must be a non-negative integer, got ${value}`);
    }
  }
};
