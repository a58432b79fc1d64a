// TokenClient.refresh and exchangeCode over a scripted transport: form bodies, status
// interpretation, one retry with the same grant, and the unknown-outcome rule.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Fiber, Redacted } from "effect";
import { TestClock } from "effect/testing";
import { type MiroConfigOptions, TokenClient } from "../src/index.ts";
import {
  BASE,
  CREDENTIALS,
  failure,
  layerWith,
  REFRESH,
  settle,
  TOKEN,
  TOKEN_RESPONSE,
} from "./ClientFixtures.ts";
import { fakeTransport, miroError } from "./FakeTransport.ts";

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

  it.effect("carries ids and scopes over when the refresh response leaves them out", () =>
    Effect.gen(function* () {
      const body =
        '{"token_type":"bearer","access_token":"a-0002","refresh_token":"r-0002","expires_in":3599}';
      const t = fakeTransport({ status: 200, body });
      const set = yield* TokenClient.refresh({
        ...REFRESH,
        teamId: "3074457358607431473",
        userId: "3458764517517852417",
        scopes: ["boards:read"],
      }).pipe(Effect.provide(layerWith(t, CREDENTIALS)));
      expect(set).toMatchObject({
        teamId: "3074457358607431473",
        userId: "3458764517517852417",
        scopes: ["boards:read"],
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
          // 400 invalidGrant, or the 401 oauthError Miro documents for token-endpoint failures.
          for (const rejected of [miroError(400, "invalidGrant"), miroError(401, "oauthError")]) {
            const t = fakeTransport(first, rejected);
            const error = failure(
              yield* settle(TokenClient.refresh(REFRESH), layerWith(t, CREDENTIALS)),
            );
            expect(error).toMatchObject({
              _tag: "RefreshOutcomeUnknownError",
              attempts: 2,
              retryable: false,
            });
          }
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

  it.effect("bounds each attempt by its own tokenAttemptTimeout, longer than the probes'", () =>
    Effect.gen(function* () {
      const hang = fakeTransport({ hang: true });
      const config = { ...CREDENTIALS, retry: { limit: 1 } };
      const timedOutAfter = (
        effect: Effect.Effect<unknown, unknown, TokenClient>,
        layer: MiroConfigOptions = config,
      ) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(Effect.provide(effect, layerWith(hang, layer)));
          let elapsed = 0;
          while (fiber.pollUnsafe() === undefined && elapsed < 60_000) {
            yield* TestClock.adjust(1_000);
            elapsed += 1_000;
          }
          return { elapsed, error: yield* Effect.flip(Fiber.join(fiber)) };
        });
      const probe = yield* timedOutAfter(TokenClient.info(TOKEN));
      expect(probe.elapsed).toBe(10_000);
      const refresh = yield* timedOutAfter(TokenClient.refresh(REFRESH));
      expect(refresh.elapsed).toBe(20_000);
      expect(refresh.error).toMatchObject({ _tag: "TransportError", kind: "Timeout" });
      const tuned = yield* timedOutAfter(TokenClient.refresh(REFRESH), {
        ...config,
        tokenAttemptTimeout: "3 seconds",
      });
      expect(tuned.elapsed).toBe(3_000);
    }),
  );
});
