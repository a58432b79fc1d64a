/**
 * RELIABILITY target 4, the retry storm: 1,000 concurrent token-info calls, spread over two
 * separately built clients, against a Miro that answers 503 to everything (scripted emulator
 * faults over real loopback HTTP), for 5 simulated minutes on the TestClock. Every client of
 * the process pays its retries from one quota (500 tokens, 5 per retry), so the storm costs at
 * most 1,000 first attempts + 100 retries (without the quota: 3,000 requests). After the fault
 * clears, every new call succeeds and the successes refill the quota.
 */
import { describe, expect, it } from "@effect/vitest";
import {
  MiroConfig,
  RETRY_QUOTA_DEFAULTS,
  RetryQuota,
  TokenClient,
  type TokenInfoResult,
} from "@miro-token/core";
import { Effect, Exit, Fiber, Layer, Redacted } from "effect";
import { advance, instrumentedTransport, scenario } from "./support/Harness.ts";

const CALLS = 1_000;

describe("target 4: retry storm", () => {
  it.effect(
    `${CALLS} calls in a 503 storm stay within the process-wide retry quota`,
    () =>
      Effect.gen(function* () {
        const s = yield* scenario({
          rateLimit: { creditsPerMinute: 1_000_000_000, costPerRequest: 1 },
        });
        // A second client, built on its own: it must draw from the same (default) quota.
        const other = yield* Layer.build(
          TokenClient.layer.pipe(
            Layer.provide(
              Layer.mergeAll(
                instrumentedTransport(s.traffic),
                MiroConfig.layer({ baseUrl: s.emu.baseUrl }),
              ),
            ),
          ),
        );
        const quota = yield* RetryQuota;
        expect(quota.available()).toBe(RETRY_QUOTA_DEFAULTS.capacity);
        const tokens = Array.from({ length: CALLS }, () => s.emu.issueTokens().accessToken);
        const infoCalls = () =>
          Effect.forkChild(
            Effect.all(
              tokens.map((token, i) =>
                Effect.exit(TokenClient.info(Redacted.make(token))).pipe(
                  Effect.provideContext(i % 2 === 0 ? s.client : other),
                ),
              ),
              { concurrency: "unbounded" },
            ),
          );
        const probes = () => s.traffic.log.filter((r) => r.route === "token-info").length;

        // The storm: every token-info answer is a 503 for the next 5 simulated minutes.
        s.emu.queueFault("token-info", { kind: "status", status: 503 }, 1_000_000);
        const storm = yield* infoCalls();
        yield* advance(s, "5 minutes", "2 seconds");
        const stormExits: ReadonlyArray<Exit.Exit<TokenInfoResult, unknown>> =
          yield* Fiber.join(storm);
        expect(stormExits.every(Exit.isFailure)).toBe(true);
        const stormRequests = probes();
        const retries = stormRequests - CALLS;
        expect(retries).toBeGreaterThan(0);
        expect(retries).toBeLessThanOrEqual(
          RETRY_QUOTA_DEFAULTS.capacity / RETRY_QUOTA_DEFAULTS.retryCost,
        );
        expect(quota.available()).toBeLessThan(RETRY_QUOTA_DEFAULTS.retryCost);

        // Recovery: Miro answers again. Every call succeeds, and the successes refill the quota.
        s.emu.clearFaults();
        const recovery = yield* infoCalls();
        yield* advance(s, "30 seconds", "1 second");
        const recoveryExits = yield* Fiber.join(recovery);
        expect(recoveryExits.filter(Exit.isSuccess).length).toBe(CALLS);
        expect(probes() - stormRequests).toBe(CALLS);
        expect(quota.available()).toBe(RETRY_QUOTA_DEFAULTS.capacity);
      }).pipe(Effect.scoped),
    // Real HTTP for 2,100 requests: generous on a loaded machine (it takes ~10 s idle).
    120_000,
  );
});
