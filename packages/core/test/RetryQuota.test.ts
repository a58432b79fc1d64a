// The retry quota (RELIABILITY target 4) through a real TokenClient over a scripted transport:
// retries are paid from the bucket (5, or 10 after a timeout), an empty bucket returns the first
// failure without retrying, successes refund, and the default bucket is one per process.
import { describe, expect, it } from "@effect/vitest";
import { Context, Effect, Exit, Layer } from "effect";
import {
  makeRetryQuota,
  RETRY_QUOTA_DEFAULTS,
  RetryQuota,
  type RetryQuotaShape,
  TokenClient,
  unlimitedRetryQuota,
} from "../src/index.ts";
import { failure, INFO, layerWith, settle, TOKEN } from "./ClientFixtures.ts";
import { type FakeTransport, fakeTransport } from "./FakeTransport.ts";

const ok = { status: 200, body: JSON.stringify(INFO) };
const unavailable = { status: 503 };

const clientOn = (transport: FakeTransport, quota: RetryQuotaShape) =>
  layerWith(transport, { retry: { limit: 3, jitter: false, delay: "1 second" } }).pipe(
    Layer.provide(Layer.succeed(RetryQuota, quota)),
  );

describe("RetryQuota", () => {
  it("has the AWS standard-mode defaults", () => {
    expect(RETRY_QUOTA_DEFAULTS).toEqual({
      capacity: 500,
      retryCost: 5,
      timeoutCost: 10,
      successRefund: 1,
    });
    const quota = makeRetryQuota({ capacity: 12 });
    expect(quota.tryAcquire(5)).toBe(true);
    expect(quota.tryAcquire(10)).toBe(false);
    expect(quota.available()).toBe(7);
    quota.release(100);
    expect(quota.available()).toBe(12);
  });

  it.effect("pays 5 per retry; an empty bucket returns the first failure at once", () =>
    Effect.gen(function* () {
      const quota = makeRetryQuota({ capacity: 12 });
      const first = fakeTransport(unavailable);
      const exit1 = yield* settle(TokenClient.info(TOKEN), clientOn(first, quota));
      expect(first.requests.length).toBe(3);
      expect(failure(exit1).attempts).toBe(3);
      expect(quota.available()).toBe(2);
      const second = fakeTransport(unavailable);
      const exit2 = yield* settle(TokenClient.info(TOKEN), clientOn(second, quota));
      expect(second.requests.length).toBe(1);
      expect(failure(exit2)).toMatchObject({ _tag: "ServerError", status: 503, attempts: 1 });
    }),
  );

  it.effect("pays 10 for a retry after a timeout", () =>
    Effect.gen(function* () {
      const quota = makeRetryQuota({ capacity: 15 });
      const transport = fakeTransport({ fail: "Timeout" }, { fail: "Timeout" }, ok);
      const exit = yield* settle(TokenClient.info(TOKEN), clientOn(transport, quota));
      // 15 pays one timeout retry (10), not a second one: the 2nd timeout is returned.
      expect(transport.requests.length).toBe(2);
      expect(failure(exit)).toMatchObject({ _tag: "TransportError", kind: "Timeout" });
      expect(quota.available()).toBe(5);
    }),
  );

  it.effect("a success refunds its retry's cost, or 1 when it needed none", () =>
    Effect.gen(function* () {
      const quota = makeRetryQuota({ capacity: 20 });
      quota.tryAcquire(10);
      const retried = fakeTransport(unavailable, ok);
      expect(Exit.isSuccess(yield* settle(TokenClient.info(TOKEN), clientOn(retried, quota)))).toBe(
        true,
      );
      expect(retried.requests.length).toBe(2);
      expect(quota.available()).toBe(10); // took 5, then got the 5 back
      const direct = fakeTransport(ok);
      yield* settle(TokenClient.info(TOKEN), clientOn(direct, quota));
      expect(quota.available()).toBe(11);
    }),
  );

  it.effect("an unlimited quota leaves every retry to the policy", () =>
    Effect.gen(function* () {
      const transport = fakeTransport(unavailable);
      yield* settle(TokenClient.info(TOKEN), clientOn(transport, unlimitedRetryQuota()));
      expect(transport.requests.length).toBe(3);
    }),
  );

  it.effect("the default quota is one bucket for the whole process", () =>
    Effect.gen(function* () {
      const a = yield* RetryQuota;
      const b = Context.get(Context.empty(), RetryQuota);
      expect(a).toBe(b);
      expect(a.options).toEqual(RETRY_QUOTA_DEFAULTS);
    }),
  );
});
