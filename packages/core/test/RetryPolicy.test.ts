// RELIABILITY targets 2 (backoff bounds) and 3 (server-hint parsing), on the pure functions
// behind the retry schedule.
import { describe, expect, it } from "@effect/vitest";
import { Duration, Option } from "effect";
import fc from "fast-check";
import { makeMiroConfig, RetryPolicy } from "../src/index.ts";

const SEED = 20261127;
const MAX_RETRY_AFTER = 60_000;

describe("RetryPolicy.delayFor (target 2)", () => {
  it("keeps every delay in [0, min(cap, base*2^(n-1))] over 10,000 samples", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, noNaN: false }),
        (attempt, base, cap, random) => {
          const delay = RetryPolicy.delayFor(attempt, { base, cap }, random);
          const bound = Math.min(cap, base * 2 ** (attempt - 1));
          return delay >= 0 && delay <= bound && Number.isFinite(delay);
        },
      ),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it("uses the ceiling itself without jitter", () => {
    expect(RetryPolicy.delayFor(3, { base: 100, cap: 10_000, jitter: false }, 0.5)).toBe(400);
    expect(RetryPolicy.delayFor(30, { base: 100, cap: 10_000, jitter: false }, 0.5)).toBe(10_000);
  });

  it("never lets delays plus attempt budgets exceed the deadline (10,000 samples)", () => {
    fc.assert(
      fc.property(
        fc.record({
          maxAttempts: fc.integer({ min: 1, max: 10 }),
          deadline: fc.integer({ min: 0, max: 120_000 }),
          attemptTimeout: fc.integer({ min: 1, max: 60_000 }),
          base: fc.integer({ min: 0, max: 10_000 }),
          cap: fc.integer({ min: 0, max: 60_000 }),
        }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 10, maxLength: 10 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 60_000 })), { minLength: 10, maxLength: 10 }),
        (l, randoms, waits) => {
          const limits: RetryPolicy.RetryLimits = {
            maxAttempts: l.maxAttempts,
            deadline: l.deadline,
            attemptTimeout: l.attemptTimeout,
            backoff: { base: l.base, cap: l.cap },
          };
          // Worst case: every attempt uses its whole budget, then fails retryably.
          let elapsed = 0;
          for (let attempts = 1; ; attempts++) {
            elapsed += RetryPolicy.attemptBudget(elapsed, limits);
            if (elapsed > l.deadline) return false;
            const wait = waits[attempts - 1];
            const serverWait: RetryPolicy.ServerWait =
              wait === null || wait === undefined
                ? { _tag: "None" }
                : { _tag: "Wait", millis: wait, source: "retry-after" };
            const decision = RetryPolicy.decide(
              { retryable: true, serverWait },
              attempts,
              elapsed,
              limits,
              randoms[attempts - 1] ?? 0,
            );
            if (decision._tag === "Stop") return attempts <= l.maxAttempts;
            elapsed += decision.delay;
            if (elapsed > l.deadline) return false;
          }
        },
      ),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it("spreads first retries of 1,000 clients: no 100 ms bucket gets more than 5%", () => {
    const config = makeMiroConfig();
    const backoff = RetryPolicy.limitsFor(config, 3).backoff;
    const buckets = new Map<number, number>();
    for (let client = 0; client < 1_000; client++) {
      const delay = RetryPolicy.delayFor(1, backoff, Math.random());
      const bucket = Math.floor(delay / 100);
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    }
    expect(Math.max(...buckets.values())).toBeLessThanOrEqual(50);
  });
});

describe("RetryPolicy.decide", () => {
  const limits: RetryPolicy.RetryLimits = {
    maxAttempts: 3,
    deadline: 30_000,
    attemptTimeout: 10_000,
    backoff: { base: 500, cap: 10_000 },
  };
  const none: RetryPolicy.ServerWait = { _tag: "None" };

  it("stops on non-retryable failures and at the attempt limit", () => {
    expect(RetryPolicy.decide({ retryable: false, serverWait: none }, 1, 0, limits, 0.5)).toEqual({
      _tag: "Stop",
      reason: "not-retryable",
    });
    expect(RetryPolicy.decide({ retryable: true, serverWait: none }, 3, 0, limits, 0.5)).toEqual({
      _tag: "Stop",
      reason: "attempts",
    });
  });

  it("honours a server wait exactly (no jitter) and fails fast on a too-long one", () => {
    const wait: RetryPolicy.ServerWait = { _tag: "Wait", millis: 7_000, source: "retry-after" };
    expect(RetryPolicy.decide({ retryable: true, serverWait: wait }, 1, 0, limits, 0.1)).toEqual({
      _tag: "Retry",
      delay: 7_000,
    });
    const tooLong: RetryPolicy.ServerWait = { _tag: "TooLong", millis: 100_000_000 };
    expect(RetryPolicy.decide({ retryable: true, serverWait: tooLong }, 1, 0, limits, 0.1)).toEqual(
      {
        _tag: "Stop",
        reason: "server-wait-too-long",
      },
    );
  });

  it("stops when the wait would cross the deadline", () => {
    const wait: RetryPolicy.ServerWait = { _tag: "Wait", millis: 25_000, source: "retry-after" };
    expect(RetryPolicy.decide({ retryable: true, serverWait: wait }, 1, 10_000, limits, 0)).toEqual(
      {
        _tag: "Stop",
        reason: "deadline",
      },
    );
  });

  it("caps attempts at the smaller of the operation's and the configured limit", () => {
    expect(RetryPolicy.limitsFor(makeConfig({ limit: 5 }), 2).maxAttempts).toBe(2);
    expect(RetryPolicy.limitsFor(makeConfig({ limit: 1 }), 3).maxAttempts).toBe(1);
  });
});

const makeConfig = (retry: { limit: number }) => makeMiroConfig({ retry });

// --- target 3 ---------------------------------------------------------------------------------

const NOW = Date.UTC(2026, 10, 27, 20, 0, 0);

const httpDate = fc
  .integer({ min: -10 * 365 * 86_400, max: 100 * 365 * 86_400 })
  .map((offset) => new Date(NOW + offset * 1000).toUTCString());

const hintValue = fc.oneof(
  fc.nat().map(String),
  fc.integer({ min: -1_000_000, max: -1 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
  httpDate,
  fc.integer({ min: 0, max: 4_000_000_000 }).map(String),
  fc.constantFrom("NaN", "Infinity", "-0", "1e3", "0x10", "", " ", "12 ", " 12", "\t5", "5.5", "٣"),
  fc.nat().map((n) => ` ${n} `),
  fc.nat().map((n) => `0000${n}`),
  fc.string(),
  httpDate.map((d) => ` ${d}`),
  httpDate.map((d) => d.replace("GMT", "UTC")),
);

const headersArb = fc.record(
  {
    "retry-after": hintValue,
    "x-ratelimit-reset": hintValue,
    "x-ratelimit-remaining": fc.oneof(fc.constant("0"), hintValue),
    // IETF structured fields: Miro does not send them; they must be harmless.
    ratelimit: fc
      .tuple(fc.nat(), fc.nat(), hintValue)
      .map(([limit, remaining, reset]) => `limit=${limit}, remaining=${remaining}, reset=${reset}`),
    "ratelimit-policy": fc.nat().map((n) => `${n};w=60`),
  },
  { requiredKeys: [] },
);

describe("RetryPolicy server hints (target 3)", () => {
  it("never throws and stays in [0, maxRetryAfter] or ignore over 20,000 values", () => {
    fc.assert(
      fc.property(fc.constantFrom(408, 429, 500, 502, 503, 504), headersArb, (status, headers) => {
        const wait = RetryPolicy.serverWait({ status, headers }, NOW, MAX_RETRY_AFTER);
        switch (wait._tag) {
          case "None":
            return true;
          case "Wait":
            return wait.millis >= 0 && wait.millis <= MAX_RETRY_AFTER;
          case "TooLong":
            return wait.millis > MAX_RETRY_AFTER && headers["retry-after"] !== undefined;
        }
      }),
      { numRuns: 20_000, seed: SEED },
    );
  });

  it("parses each header alone without throwing (20,000 values)", () => {
    fc.assert(
      fc.property(hintValue, (value) => {
        const a = RetryPolicy.parseRetryAfter(value, NOW);
        const b = RetryPolicy.parseRateLimitReset(value, NOW);
        for (const parsed of [a, b]) {
          if (Option.isSome(parsed) && !(Duration.toMillis(parsed.value) >= 0)) return false;
        }
        return true;
      }),
      { numRuns: 20_000, seed: SEED },
    );
  });

  it("lets Retry-After beat X-RateLimit-Reset", () => {
    const headers = {
      "retry-after": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(Math.floor(NOW / 1000) + 30),
    };
    expect(RetryPolicy.serverWait({ status: 429, headers }, NOW, MAX_RETRY_AFTER)).toEqual({
      _tag: "Wait",
      millis: 5_000,
      source: "retry-after",
    });
  });

  it("uses X-RateLimit-Reset only on a 429 with no credits left, clamped to maxRetryAfter", () => {
    const reset = String(Math.floor(NOW / 1000) + 30);
    expect(
      RetryPolicy.serverWait(
        { status: 429, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } },
        NOW,
        MAX_RETRY_AFTER,
      ),
    ).toEqual({ _tag: "Wait", millis: 30_000, source: "ratelimit-reset" });
    expect(
      RetryPolicy.serverWait(
        { status: 429, headers: { "x-ratelimit-remaining": "7", "x-ratelimit-reset": reset } },
        NOW,
        MAX_RETRY_AFTER,
      ),
    ).toEqual({ _tag: "None" });
    const farReset = String(Math.floor(NOW / 1000) + 7_200);
    expect(
      RetryPolicy.serverWait(
        { status: 429, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": farReset } },
        NOW,
        MAX_RETRY_AFTER,
      ),
    ).toEqual({ _tag: "Wait", millis: MAX_RETRY_AFTER, source: "ratelimit-reset" });
  });

  it("fails fast on Retry-After: 100000", () => {
    expect(
      RetryPolicy.serverWait(
        { status: 429, headers: { "retry-after": "100000" } },
        NOW,
        MAX_RETRY_AFTER,
      ),
    ).toEqual({ _tag: "TooLong", millis: 100_000_000 });
  });

  it("reads HTTP dates, past dates as zero, and ignores malformed values", () => {
    const inTen = new Date(NOW + 10_000).toUTCString();
    expect(RetryPolicy.parseRetryAfter(inTen, NOW)).toEqual(Option.some(Duration.millis(10_000)));
    const past = new Date(NOW - 10_000).toUTCString();
    expect(RetryPolicy.parseRetryAfter(past, NOW)).toEqual(Option.some(Duration.millis(0)));
    for (const bad of ["NaN", "-5", "5.5", "1e3", "soon", "", "Mon, 32 Foo 2026"]) {
      expect(Option.isNone(RetryPolicy.parseRetryAfter(bad, NOW))).toBe(true);
    }
    expect(RetryPolicy.parseRetryAfter(" 12 ", NOW)).toEqual(Option.some(Duration.seconds(12)));
  });
});
