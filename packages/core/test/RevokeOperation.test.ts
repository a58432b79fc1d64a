// TokenClient.revoke over a scripted transport: v2 with credentials, v1 without, the
// retry set, and "not found after an ambiguous attempt" meaning revoked.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { TokenClient } from "../src/index.ts";
import { BASE, CREDENTIALS, failure, INFO, layerWith, settle, TOKEN } from "./ClientFixtures.ts";
import { fakeTransport, json, miroError } from "./FakeTransport.ts";

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

  it.effect("without credentials or the v1 opt-in: MissingCredentialsError, nothing sent", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ status: 204 });
      const error = failure(yield* settle(TokenClient.revoke(TOKEN), layerWith(t)));
      expect(error).toMatchObject({ _tag: "MissingCredentialsError", attempts: 0 });
      expect(error.message).toContain("client credentials");
      expect(t.requests).toHaveLength(0);
    }),
  );

  const v1 = (t: ReturnType<typeof fakeTransport>) => layerWith(t, { allowV1Revoke: true });

  it.effect("v1 only when opted in, in its documented form: the token in the query only", () =>
    Effect.gen(function* () {
      const t = fakeTransport({ status: 204 });
      const result = yield* TokenClient.revoke(TOKEN).pipe(Effect.provide(v1(t)));
      expect(result).toMatchObject({ endpoint: "v1", deprecated: true, alreadyRevoked: false });
      const [request] = t.requests;
      const url = new URL(request?.url ?? "");
      expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/v1/oauth/revoke`);
      expect(url.searchParams.get("access_token")).toBe(Redacted.value(TOKEN));
      expect(request?.body).toBeUndefined();
      expect(request?.headers.authorization).toBeUndefined();
    }),
  );

  it.effect("v1 400 is revoked only once token info confirms the token is dead", () =>
    Effect.gen(function* () {
      const dead = fakeTransport({ status: 400 }, { status: 400 });
      const result = yield* TokenClient.revoke(TOKEN).pipe(Effect.provide(v1(dead)));
      expect(result).toMatchObject({ endpoint: "v1", alreadyRevoked: true });
      expect(dead.requests.map((r) => new URL(r.url).pathname)).toEqual([
        "/v1/oauth/revoke",
        "/v1/oauth-token",
      ]);
      expect(dead.requests[1]?.url).toBe(`${BASE}/v1/oauth-token`);
      for (const alive of [json(200, INFO), { status: 503 }]) {
        const error = failure(
          yield* settle(TokenClient.revoke(TOKEN), v1(fakeTransport({ status: 400 }, alive))),
        );
        expect(error).toMatchObject({ _tag: "RevokeRejectedError", status: 400 });
        expect(error.message).toContain("configure client credentials");
        // The URL carried the token: no error surface may show it.
        expect(JSON.stringify(error)).not.toContain(Redacted.value(TOKEN));
        expect(error.message).not.toContain(Redacted.value(TOKEN));
        expect(String(error)).not.toContain("access_token");
      }
    }),
  );

  it.effect("maps v1 404/410 to RevokeEndpointGoneError", () =>
    Effect.gen(function* () {
      for (const status of [404, 410]) {
        const error = failure(
          yield* settle(
            TokenClient.revoke(TOKEN),
            v1(fakeTransport(miroError(status, "notFound"))),
          ),
        );
        expect(error).not.toHaveProperty("code");
        expect(error).toMatchObject({ _tag: "RevokeEndpointGoneError", status, attempts: 1 });
        expect(error.message).toContain("configure client credentials");
      }
    }),
  );
});
