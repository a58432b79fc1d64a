/**
 * Rate limits from the client's side: a 429 from the emulator's real rate limiter is read with
 * or without `Retry-After` (under each variant profile), and a `Retry-After` far beyond any
 * deadline fails fast instead of sleeping (RELIABILITY target 3).
 */
import { expect } from "@effect/vitest";
import { TOKEN_INFO_MAX_ATTEMPTS } from "@miro-token/core";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { callInfo, failureOf } from "./Call.ts";
import type { ClientIt } from "./ClientHarness.ts";
import { fresh, requestsTo, type VariantCase } from "./FreshCase.ts";

/** Registers the real-rate-limit test of one variant profile. */
export const rateLimitContract = (it: ClientIt, variant: VariantCase): void => {
  it.effect(
    variant.at("429 from the real rate limit: the wait is read with or without Retry-After"),
    () =>
      Effect.gen(function* () {
        const { emulator, tokens, secrets } = yield* variant.fresh();
        emulator.configure({ rateLimit: { creditsPerMinute: 0 } });
        // One second before the window resets, so every wait fits the deadline.
        emulator.clock.set(Math.ceil((emulator.clock.now() + 1) / 60_000) * 60_000 - 1_000);
        yield* TestClock.setTime(emulator.clock.now());
        const error = failureOf(yield* callInfo(tokens.accessToken, secrets));
        expect(error).toMatchObject({ _tag: "RateLimitedError", status: 429 });
        if (error._tag !== "RateLimitedError") return;
        // X-RateLimit-Reset is always there; Retry-After only under retryAfter=present.
        expect(error.resetAt).toBeGreaterThan(0);
        expect(error.retryAfter !== undefined).toBe(variant.variants.retryAfter === "present");
        expect(requestsTo(emulator, "token-info")).toBe(TOKEN_INFO_MAX_ATTEMPTS);
      }),
  );
};

/** Registers the fail-fast test for `Retry-After: 100000`. */
export const retryAfterFailsFast = (it: ClientIt): void => {
  it.effect("Retry-After: 100000 fails fast with RateLimitedError, without sleeping", () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* fresh();
      emulator.queueFault(
        "token-info",
        { kind: "status", status: 429, headers: { "retry-after": "100000" } },
        5,
      );
      const started = Date.now();
      const error = failureOf(yield* callInfo(tokens.accessToken, secrets));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(error).toMatchObject({
        _tag: "RateLimitedError",
        attempts: 1,
        status: 429,
        retryAfter: 100_000_000,
      });
      expect(requestsTo(emulator, "token-info")).toBe(1);
    }),
  );
};
