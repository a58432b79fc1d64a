// TokenClient over a scripted transport: status interpretation, the attempt policy per
// operation, server waits, timeouts and the deadline, all on the TestClock.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Exit, Fiber, Layer, Redacted } from "effect";
import { TestClock } from "effect/testing";
import {
  MiroConfig,
  type MiroConfigOptions,
  type MiroTokenError,
  TokenClient,
  type TokenSet,
} from "../src/index.ts";
import { type FakeTransport, fakeTransport, json, miroError } from "./FakeTransport.ts";

const BASE = "http://miro.test";
const TOKEN = Redacted.make("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_access-token-0001");
const REFRESH: Pick<TokenSet, "refreshToken"> = {
  refreshToken: Redacted.make("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_refresh-token-001"),
};
const CREDENTIALS = { clientId: "3458764500000000001", clientSecret: "client-secret-0001" };

const entity = (type: string) => ({ type, name: `${type} name`, id: "3458764517517852417" });
const INFO = {
  type: "oAuthToken",
  organization: entity("organization"),
  team: entity("team"),
  createdBy: entity("user"),
  user: entity("user"),
  scopes: ["boards:read"],
};
const TOKEN_RESPONSE =
  '{"token_type":"bearer","team_id":3074457358607431473,"user_id":"3458764517517852417","access_token":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_new-access-0001","refresh_token":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_new-refresh-001","scope":"boards:read identity:read","expires_in":3599}';

const layerWith = (transport: FakeTransport, config: MiroConfigOptions = {}) =>
  TokenClient.layer.pipe(
    Layer.provide(Layer.mergeAll(transport.layer, MiroConfig.layer({ baseUrl: BASE, ...config }))),
  );

/** Run to completion, letting the TestClock run through every wait. */
const settle = <A>(
  effect: Effect.Effect<A, MiroTokenError, TokenClient>,
  layer: Layer.Layer<TokenClient>,
) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(Effect.provide(effect, layer));
    yield* TestClock.adjust("10 minutes");
    return yield* Fiber.await(fiber);
  });

const failure = <A>(exit: Exit.Exit<A, MiroTokenError>): MiroTokenError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const error = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (error?._tag !== "Fail")
    throw new Error(`expected a typed failure, got ${String(exit.cause)}`);
  return error.error;
};

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

describe("TokenClient.revoke", () => {
  const v2 = layerWith;
  it.effect("uses v2 with a JSON body when credentials are configured", () =>
    Effect.gen(function* () {
      for (const step of [{ status: 200 }, { status: 200, body: "<html></html>" }]) {
        const error = failure(
          yield* settle(TokenClient.revoke(TOKEN), v2(fakeTransport(step), CREDENTIALS)),
        );
        expect(error).toMatchObject({ _tag: "UnexpectedStatusError", status: 200, attempts: 1 });
      }
      const t = fakeTransport({ status: 204 });
      const result = yield* TokenClient.revoke(TOKEN).pipe(Effect.provide(v2(t, CREDENTIALS)));
      expect(result).toMatchObject({ endpoint: "v2", deprecated: false, alreadyRevoked: false });
      const [request] = t.requests;
      expect(request?.url).toBe(`${BASE}/v2/oauth/revoke`);
      expect(request?.headers["content-type"]).toBe("application/json");
      expect(request?.headers.authorization).toBeUndefined();
      expect(JSON.parse(request?.body ?? "")).toEqual({
        accessToken: Redacted.value(TOKEN),
        clientId: CREDENTIALS.clientId,
        clientSecret: CREDENTIALS.clientSecret,
      });
    }),
  );

  it.effect("maps v2 404 to RevokeRejectedError and 401 to ClientAuthError", () =>
    Effect.gen(function* () {
      const rejected = failure(
        yield* settle(
          TokenClient.revoke(TOKEN),
          v2(fakeTransport(miroError(404, "oauthError")), CREDENTIALS),
        ),
      );
      expect(rejected).toMatchObject({ _tag: "RevokeRejectedError", status: 404, attempts: 1 });
      const auth = failure(
        yield* settle(
          TokenClient.revoke(TOKEN),
          v2(fakeTransport(miroError(401, "oauthError")), CREDENTIALS),
        ),
      );
      expect(auth).toMatchObject({ _tag: "ClientAuthError", status: 401, attempts: 1 });
    }),
  );

  it.effect("counts a 404 after an ambiguous attempt as revoked", () =>
    Effect.gen(function* () {
      for (const first of [{ fail: "Network" as const }, { status: 502 }, { status: 504 }]) {
        const t = fakeTransport(first, miroError(404, "oauthError"));
        const exit = yield* settle(TokenClient.revoke(TOKEN), v2(t, CREDENTIALS));
        expect(exit).toMatchObject({ _tag: "Success", value: { alreadyRevoked: true } });
      }
      const t = fakeTransport({ status: 503 }, miroError(404, "oauthError"));
      const error = failure(yield* settle(TokenClient.revoke(TOKEN), v2(t, CREDENTIALS)));
      expect(error).toMatchObject({ _tag: "RevokeRejectedError", attempts: 2 });
    }),
  );

  it.effect("retries only network failures, 429, 502, 503 and 504, at most 3 attempts", () =>
    Effect.gen(function* () {
      for (const [step, attempts] of [
        [{ fail: "Network" as const }, 3],
        [{ fail: "Timeout" as const }, 3],
        [{ status: 429 }, 3],
        [{ status: 502 }, 3],
        [{ status: 503 }, 3],
        [{ status: 504 }, 3],
        [{ status: 500 }, 1],
        [{ status: 408 }, 1],
        [{ status: 403 }, 1],
      ] as const) {
        const t = fakeTransport(step);
        const error = failure(yield* settle(TokenClient.revoke(TOKEN), v2(t, CREDENTIALS)));
        expect(error.attempts).toBe(attempts);
        expect(t.requests).toHaveLength(attempts);
      }
    }),
  );

  it.effect("uses v1 without credentials: token in a form body and the header, never the URL", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ status: 204 });
      const result = yield* TokenClient.revoke(TOKEN).pipe(Effect.provide(layerWith(t)));
      expect(result).toMatchObject({ endpoint: "v1", deprecated: true });
      const [request] = t.requests;
      expect(request?.url).toBe(`${BASE}/v1/oauth/revoke`);
      expect(request?.headers.authorization).toBe(`Bearer ${Redacted.value(TOKEN)}`);
      expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(new URLSearchParams(request?.body).get("access_token")).toBe(Redacted.value(TOKEN));
    }),
  );

  it.effect("maps v1 404/410 to RevokeEndpointGoneError and 400 to RevokeRejectedError", () =>
    Effect.gen(function* () {
      for (const status of [404, 410]) {
        const error = failure(
          yield* settle(
            TokenClient.revoke(TOKEN),
            layerWith(fakeTransport(miroError(status, "notFound"))),
          ),
        );
        expect(error).not.toHaveProperty("code");
        expect(error).toMatchObject({ _tag: "RevokeEndpointGoneError", status, attempts: 1 });
        expect(error.message).toContain("configure client credentials");
      }
      const error = failure(
        yield* settle(TokenClient.revoke(TOKEN), layerWith(fakeTransport({ status: 400 }))),
      );
      expect(error).toMatchObject({ _tag: "RevokeRejectedError", status: 400 });
    }),
  );
});

describe("TokenClient.refresh and exchangeCode", () => {
  it.effect("posts a form body with the grant and builds a TokenSet from the Clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_800_000_000_000);
      const t = fakeTransport({ status: 200, body: TOKEN_RESPONSE });
      const set = yield* TokenClient.refresh(REFRESH).pipe(
        Effect.provide(layerWith(t, CREDENTIALS)),
      );
      expect(Redacted.value(set.accessToken)).toBe(
        "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_new-access-0001",
      );
      expect(set.expiresAt).toBe(1_800_000_000_000 + 3_599_000);
      expect(set.teamId).toBe("3074457358607431473");
      expect(set.userId).toBe("3458764517517852417");
      const [request] = t.requests;
      expect(request?.url).toBe(`${BASE}/v1/oauth/token`);
      expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
        grant_type: "refresh_token",
        client_id: CREDENTIALS.clientId,
        client_secret: CREDENTIALS.clientSecret,
        refresh_token: Redacted.value(REFRESH.refreshToken!),
      });
    }),
  );

  it.effect("exchanges a code with its redirect URI", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ status: 200, body: TOKEN_RESPONSE });
      yield* TokenClient.exchangeCode(Redacted.make("code-0001"), "https://app.test/cb").pipe(
        Effect.provide(layerWith(t, CREDENTIALS)),
      );
      expect(Object.fromEntries(new URLSearchParams(t.requests[0]?.body))).toMatchObject({
        grant_type: "authorization_code",
        code: "code-0001",
        redirect_uri: "https://app.test/cb",
      });
      expect(t.requests[0]?.url).toBe(`${BASE}/v1/oauth/token`);
    }),
  );

  it.effect("maps 400 to InvalidGrantError and 401 to ClientAuthError", () =>
    Effect.gen(function* () {
      const grant = failure(
        yield* settle(
          TokenClient.refresh(REFRESH),
          layerWith(fakeTransport(miroError(400, "invalidGrant")), CREDENTIALS),
        ),
      );
      expect(grant).toMatchObject({
        _tag: "InvalidGrantError",
        grant: "refresh_token",
        code: "invalidGrant",
        attempts: 1,
      });
      const auth = failure(
        yield* settle(
          TokenClient.refresh(REFRESH),
          layerWith(fakeTransport(miroError(401, "oauthError")), CREDENTIALS),
        ),
      );
      expect(auth).toMatchObject({ _tag: "ClientAuthError", attempts: 1 });
    }),
  );

  it.effect("retries once, with the same refresh token", () =>
    Effect.gen(function* () {
      for (const step of [
        { fail: "Network" as const },
        { status: 503 },
        { status: 429 },
        { status: 500 },
      ]) {
        const t = fakeTransport(step);
        const error = failure(
          yield* settle(TokenClient.refresh(REFRESH), layerWith(t, CREDENTIALS)),
        );
        expect(error.attempts).toBe(2);
        expect(t.requests).toHaveLength(2);
        expect(t.requests[0]?.body).toBe(t.requests[1]?.body);
      }
    }),
  );

  it.effect(
    "reports an unknown outcome when the retry after an ambiguous failure is rejected",
    () =>
      Effect.gen(function* () {
        for (const first of [
          { fail: "Network" as const },
          { fail: "Timeout" as const },
          { status: 502 },
        ]) {
          const t = fakeTransport(first, miroError(400, "invalidGrant"));
          const error = failure(
            yield* settle(TokenClient.refresh(REFRESH), layerWith(t, CREDENTIALS)),
          );
          expect(error).toMatchObject({
            _tag: "RefreshOutcomeUnknownError",
            attempts: 2,
            retryable: false,
          });
        }
        // 503 and 429 mean "not processed": the later 400 is a plain invalid grant.
        const t = fakeTransport({ status: 503 }, miroError(400, "invalidGrant"));
        const error = failure(
          yield* settle(TokenClient.refresh(REFRESH), layerWith(t, CREDENTIALS)),
        );
        expect(error).toMatchObject({ _tag: "InvalidGrantError", attempts: 2 });
      }),
  );

  it.effect("needs credentials and a refresh token, checked before any request", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ status: 200, body: TOKEN_RESPONSE });
      const missing = failure(yield* settle(TokenClient.refresh(REFRESH), layerWith(t)));
      expect(missing).toMatchObject({ _tag: "MissingCredentialsError", attempts: 0 });
      const noRefresh = failure(yield* settle(TokenClient.refresh({}), layerWith(t, CREDENTIALS)));
      expect(noRefresh).toMatchObject({ _tag: "MalformedTokenError", subject: "refresh token" });
      expect(t.requests).toHaveLength(0);
    }),
  );
});
