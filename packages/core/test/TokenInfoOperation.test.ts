// TokenClient.info over a scripted transport: status interpretation, the attempt policy,
// server waits, timeouts and the deadline, on the TestClock.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Exit, Fiber, Redacted } from "effect";
import { TestClock } from "effect/testing";
import { TokenClient } from "../src/index.ts";
import { BASE, failure, INFO, layerWith, settle, TOKEN } from "./ClientFixtures.ts";
import { fakeTransport, json, miroError } from "./FakeTransport.ts";

describe("TokenClient.info", () => {
  it.effect("sends the token in the Authorization header only and decodes the answer", () =>
    Effect.gen(function* () {
      const t = fakeTransport(
        json(200, INFO, {
          "x-ratelimit-limit": "100000",
          "x-ratelimit-remaining": "99975",
          "x-ratelimit-reset": "1764273600",
        }),
      );
      const result = yield* TokenClient.info(TOKEN).pipe(Effect.provide(layerWith(t)));
      expect(result.info.user.name).toBe("user name");
      expect(result.rateLimit).toEqual({
        limit: 100_000,
        remaining: 99_975,
        resetAt: 1_764_273_600_000,
      });
      expect(t.requests).toHaveLength(1);
      const [request] = t.requests;
      expect(request?.method).toBe("GET");
      expect(request?.url).toBe(`${BASE}/v1/oauth-token`);
      expect(request?.headers.authorization).toBe(`Bearer ${Redacted.value(TOKEN)}`);
      expect(request?.headers["user-agent"]).toMatch(/^miro-token\//);
      expect(request?.body).toBeUndefined();
      expect(request?.maxBodyBytes).toBe(1024 * 1024);
    }),
  );

  it.effect("maps 400 and 401 to InvalidTokenError with Miro's code, in one attempt", () =>
    Effect.gen(function* () {
      for (const [status, code] of [
        [400, "tokenExpired"],
        [400, "tokenInvalid"],
        [401, "tokenNotProvided"],
      ] as const) {
        const t = fakeTransport(miroError(status, code));
        const error = failure(yield* settle(TokenClient.info(TOKEN), layerWith(t)));
        expect(error).toMatchObject({
          _tag: "InvalidTokenError",
          status,
          code,
          attempts: 1,
          retryable: false,
        });
        expect(t.requests).toHaveLength(1);
      }
    }),
  );

  it.effect("retries 408, 429, 5xx and network failures up to 3 attempts", () =>
    Effect.gen(function* () {
      for (const step of [
        { status: 408 },
        { status: 500 },
        { status: 502 },
        { status: 503 },
        { status: 504 },
        miroError(429, "tooManyRequests"),
        { fail: "Network" as const },
      ]) {
        const t = fakeTransport(step);
        const error = failure(yield* settle(TokenClient.info(TOKEN), layerWith(t)));
        expect(error.attempts).toBe(3);
        expect(error.retryable).toBe(true);
        expect(t.requests).toHaveLength(3);
        expect(error._tag).toBe(
          "fail" in step
            ? "TransportError"
            : "status" in step && step.status === 429
              ? "RateLimitedError"
              : "ServerError",
        );
      }
    }),
  );

  it.effect("succeeds when a retry does", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ status: 503 }, { fail: "Network" }, json(200, INFO));
      const exit = yield* settle(TokenClient.info(TOKEN), layerWith(t));
      expect(Exit.isSuccess(exit)).toBe(true);
      expect(t.requests).toHaveLength(3);
    }),
  );

  it.effect("does not retry 403, decode failures, oversized bodies or aborts", () =>
    Effect.gen(function* () {
      const cases = [
        [{ status: 403 }, "UnexpectedStatusError"],
        [{ status: 404 }, "UnexpectedStatusError"],
        [{ status: 200, body: "{not json" }, "ResponseDecodeError"],
        [{ status: 200, body: "<html>hi</html>" }, "ResponseDecodeError"],
        [{ status: 200, body: "" }, "ResponseDecodeError"],
        [json(200, { type: "oAuthToken" }), "ResponseDecodeError"],
        [{ fail: "BodyTooLarge" as const }, "TransportError"],
        [{ fail: "Aborted" as const }, "TransportError"],
      ] as const;
      for (const [step, tag] of cases) {
        const t = fakeTransport(step);
        const error = failure(yield* settle(TokenClient.info(TOKEN), layerWith(t)));
        expect(error._tag).toBe(tag);
        expect(error.attempts).toBe(1);
        expect(t.requests).toHaveLength(1);
      }
    }),
  );

  it.effect("refuses a token that cannot be a header value, before any request", () =>
    Effect.gen(function* () {
      for (const bad of [`${Redacted.value(TOKEN)}\n`, "tok en", "tok\u0000en", "tökén", ""]) {
        const t = fakeTransport(json(200, INFO));
        const error = failure(yield* settle(TokenClient.info(Redacted.make(bad)), layerWith(t)));
        expect(error).toMatchObject({ _tag: "MalformedTokenError", attempts: 0 });
        expect(t.requests).toHaveLength(0);
        if (bad.length > 8) expect(error.message).not.toContain(bad.slice(0, 8));
      }
    }),
  );

  it.effect("waits exactly the Retry-After, without jitter", () =>
    Effect.gen(function* () {
      const t = fakeTransport(
        miroError(429, "tooManyRequests", { "retry-after": "7" }),
        json(200, INFO),
      );
      const fiber = yield* Effect.forkChild(
        TokenClient.info(TOKEN).pipe(Effect.provide(layerWith(t))),
      );
      yield* TestClock.adjust("6999 millis");
      expect(t.requests).toHaveLength(1);
      yield* TestClock.adjust("1 millis");
      yield* Fiber.join(fiber);
      expect(t.requests).toHaveLength(2);
    }),
  );

  it.effect("fails fast on Retry-After: 100000 with RateLimitedError and no sleep", () =>
    Effect.gen(function* () {
      const t = fakeTransport(
        miroError(429, "tooManyRequests", {
          "retry-after": "100000",
          "x-ratelimit-limit": "100",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": "2000000000",
        }),
      );
      const exit = yield* Effect.exit(TokenClient.info(TOKEN).pipe(Effect.provide(layerWith(t))));
      expect(failure(exit)).toMatchObject({
        _tag: "RateLimitedError",
        attempts: 1,
        status: 429,
        retryAfter: 100_000_000,
        limit: 100,
        remaining: 0,
        resetAt: 2_000_000_000_000,
      });
    }),
  );

  it.effect("times each attempt out", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ hang: true });
      const layer = layerWith(t, { attemptTimeout: "5 seconds" });
      const error = failure(yield* settle(TokenClient.info(TOKEN), layer));
      expect(error).toMatchObject({
        _tag: "TransportError",
        kind: "Timeout",
        attempts: 3,
        retryable: true,
      });
    }),
  );

  it.effect("stops before a retry would cross the deadline, and never exceeds it", () =>
    Effect.gen(function* () {
      // Attempt 1: 0-10 s; wait 4 s; attempt 2: 14-24 s; a wait of 8 s would leave nothing.
      const t = fakeTransport({ hang: true });
      const layer = layerWith(t, { retry: { jitter: false } });
      const fiber = yield* Effect.forkChild(TokenClient.info(TOKEN).pipe(Effect.provide(layer)));
      yield* TestClock.adjust("23999 millis");
      expect(fiber.pollUnsafe()).toBeUndefined();
      yield* TestClock.adjust("1 millis");
      const error = failure(yield* Fiber.await(fiber));
      expect(error).toMatchObject({ _tag: "TransportError", kind: "Timeout", attempts: 2 });
    }),
  );

  it.effect("clips the last attempt to the time left before the deadline", () =>
    Effect.gen(function* () {
      // Attempt 1: 0-10 s; wait 4 s; attempt 2: 14-24 s; wait 1 s (cap); attempt 3: 25-30 s.
      const t = fakeTransport({ hang: true });
      const layer = layerWith(t, { retry: { jitter: false, backoffLimit: "1 second" } });
      const fiber = yield* Effect.forkChild(TokenClient.info(TOKEN).pipe(Effect.provide(layer)));
      yield* TestClock.adjust("29999 millis");
      expect(fiber.pollUnsafe()).toBeUndefined();
      yield* TestClock.adjust("1 millis");
      expect(failure(yield* Fiber.await(fiber))).toMatchObject({ kind: "Timeout", attempts: 3 });
    }),
  );

  it.effect("stops when the server's wait would cross the deadline", () =>
    Effect.gen(function* () {
      const t = fakeTransport(miroError(503, "serviceUnavailable", { "retry-after": "20" }));
      const error = failure(yield* settle(TokenClient.info(TOKEN), layerWith(t)));
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, attempts: 2 });
    }),
  );

  it.effect("honours a lower configured retry limit", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ status: 503 });
      const error = failure(
        yield* settle(TokenClient.info(TOKEN), layerWith(t, { retry: { limit: 1 } })),
      );
      expect(error.attempts).toBe(1);
    }),
  );
});
