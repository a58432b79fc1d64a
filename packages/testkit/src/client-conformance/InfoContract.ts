/**
 * Token info against the emulator (`GET /v1/oauth-token`): what a live, a revoked and an
 * expired token read as under each variant profile, and a token that cannot be sent as a
 * header value refused before any request goes out.
 */
import { expect } from "@effect/vitest";
import { Effect } from "effect";
import { callInfo, failureOf, successOf } from "./Call.ts";
import type { ClientIt } from "./ClientHarness.ts";
import { fresh, requestsTo, type VariantCase } from "./FreshCase.ts";

/** Registers the token info tests of one variant profile. */
export const infoContract = (it: ClientIt, variant: VariantCase): void => {
  const { at } = variant;

  it.effect(at("info: reads token info and rate-limit headers"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      const result = successOf(yield* callInfo(tokens.accessToken, secrets));
      expect(result.info.user.id).toBe(tokens.userId);
      expect(result.info.team.id).toBe(tokens.teamId);
      expect(typeof result.info.type).toBe("string");
      expect(result.rateLimit?.limit).toBeGreaterThan(0);
      expect(requestsTo(emulator, "token-info")).toBe(1);
    }),
  );

  it.effect(at("info: expired and revoked tokens are InvalidTokenError (no retry)"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      const other = emulator.issueTokens();
      emulator.revokeAccess(other.accessToken);
      const revoked = failureOf(
        yield* callInfo(other.accessToken, [...secrets, other.accessToken]),
      );
      emulator.clock.advance(((tokens.expiresIn ?? 3599) + 2) * 1000);
      const expired = failureOf(yield* callInfo(tokens.accessToken, secrets));
      for (const error of [revoked, expired]) {
        expect(error).toMatchObject({
          _tag: "InvalidTokenError",
          attempts: 1,
          retryable: false,
        });
        // 400 or 401, with a code we know, "unrecognized", or none: never relied on.
        expect([400, 401]).toContain(error.status);
        expect(error).not.toHaveProperty("code", "tokenStale");
      }
    }),
  );
};

/** Registers the test that a malformed token never reaches the wire. */
export const malformedTokenRefused = (it: ClientIt): void => {
  it.effect("info: a token that cannot be a header value is refused before any request", () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* fresh();
      for (const bad of [
        `${tokens.accessToken}\n`,
        `${tokens.accessToken}\u0000`,
        ` ${tokens.accessToken}`,
      ]) {
        const error = failureOf(yield* callInfo(bad, secrets));
        expect(error).toMatchObject({ _tag: "MalformedTokenError", attempts: 0 });
      }
      expect(emulator.requests).toHaveLength(0);
    }),
  );
};
