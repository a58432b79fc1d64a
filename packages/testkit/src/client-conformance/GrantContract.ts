/**
 * The token endpoint's grants against the emulator, under each variant profile: a refresh
 * rotates the pair (and keeps every digit of `team_id`), a used refresh token is a final
 * rejection, a response lost after rotation ends in `RefreshOutcomeUnknownError` instead of a
 * loop, and an authorization code is exchanged once.
 */
import { expect } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { call, callRefresh, failureOf, successOf } from "./Call.ts";
import type { ClientIt } from "./ClientHarness.ts";
import { authorizationCode, requestsTo, type VariantCase } from "./FreshCase.ts";

/** Registers the refresh and code exchange tests of one variant profile. */
export const grantContract = (it: ClientIt, variant: VariantCase): void => {
  const { at } = variant;

  it.effect(at("refresh: rotates the pair and keeps every digit of team_id"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      const now = emulator.clock.now();
      const set = successOf(yield* callRefresh(tokens.refreshToken, secrets));
      const access = Redacted.value(set.accessToken);
      expect(emulator.accessTokenState(access)).toBe("active");
      expect(emulator.refreshTokenState(tokens.refreshToken ?? "")).toBe("rotated");
      expect(set.teamId).toBe(tokens.teamId);
      expect(set.expiresAt).toBeGreaterThan(now);
      expect(set.refreshToken).toBeDefined();
      expect(requestsTo(emulator, "token")).toBe(1);
    }),
  );

  it.effect(at("refresh: a used refresh token is a final rejection (one attempt)"), () =>
    Effect.gen(function* () {
      const { tokens, secrets } = yield* variant.fresh();
      successOf(yield* callRefresh(tokens.refreshToken, secrets));
      const error = failureOf(yield* callRefresh(tokens.refreshToken, secrets));
      // 400 invalid grant, or the 401 oauthError Miro documents: both end the grant.
      expect(["InvalidGrantError", "ClientAuthError"]).toContain(error._tag);
      expect(error).toMatchObject({ attempts: 1, retryable: false });
    }),
  );

  it.effect(
    at("refresh: a lost response after rotation ends in RefreshOutcomeUnknownError, no loop"),
    () =>
      Effect.gen(function* () {
        const { emulator, tokens, secrets } = yield* variant.fresh();
        // The emulator rotates, then drips the answer slower than the attempt timeout.
        emulator.queueFault("token", { kind: "drip", intervalMs: 10_000 });
        const error = failureOf(yield* callRefresh(tokens.refreshToken, secrets));
        expect(error).toMatchObject({
          _tag: "RefreshOutcomeUnknownError",
          attempts: 2,
          retryable: false,
        });
        expect(requestsTo(emulator, "token")).toBe(2);
      }),
  );

  it.effect(at("exchangeCode: a code becomes a token set once"), () =>
    Effect.gen(function* () {
      const { emulator, secrets } = yield* variant.fresh();
      const redirectUri = "http://127.0.0.1:8765/callback";
      const code = yield* authorizationCode(emulator, redirectUri);
      const exchange = call((c) => c.exchangeCode(Redacted.make(code), redirectUri), {
        credentials: true,
        secrets: [...secrets, code],
      });
      const set = successOf(yield* exchange);
      expect(emulator.accessTokenState(Redacted.value(set.accessToken))).toBe("active");
      const reused = failureOf(yield* exchange);
      expect(["InvalidGrantError", "ClientAuthError"]).toContain(reused._tag);
      expect(reused).toMatchObject({ attempts: 1, retryable: false });
    }),
  );
};
