/**
 * Revoke against the emulator, under each variant profile: v2 with client credentials (and a
 * "not found" after an ambiguous attempt read as already revoked), nothing sent without
 * credentials or a v1 opt-in, and the deprecated v1 query form only when opted in — including
 * Miro's 400 for an already revoked token and the day v1 is gone.
 */
import { expect } from "@effect/vitest";
import { Effect } from "effect";
import { callRevoke, failureOf, successOf } from "./Call.ts";
import type { ClientIt } from "./ClientHarness.ts";
import { requestsTo, type VariantCase } from "./FreshCase.ts";

/** Registers the revoke tests of one variant profile. */
export const revokeContract = (it: ClientIt, variant: VariantCase): void => {
  const { at } = variant;

  it.effect(at("revoke v2 with client credentials: revoked, never through v1"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      const v2 = { credentials: true, secrets } as const;
      const result = successOf(yield* callRevoke(tokens.accessToken, v2));
      expect(result).toMatchObject({
        endpoint: "v2",
        deprecated: false,
        alreadyRevoked: false,
      });
      expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
      expect(requestsTo(emulator, "revoke-v2")).toBe(1);
      const again = failureOf(yield* callRevoke(tokens.accessToken, v2));
      expect(again).toMatchObject({ _tag: "RevokeRejectedError", status: 404, attempts: 1 });
    }),
  );

  it.effect(at("revoke v2: 'not found' after an ambiguous attempt means already revoked"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      // The first attempt "was processed" (the token is gone) but its connection was reset.
      emulator.revokeAccess(tokens.accessToken);
      emulator.queueFault("revoke-v2", { kind: "reset" });
      const result = successOf(
        yield* callRevoke(tokens.accessToken, { credentials: true, secrets }),
      );
      expect(result).toMatchObject({ endpoint: "v2", alreadyRevoked: true });
      expect(requestsTo(emulator, "revoke-v2")).toBe(2);
    }),
  );

  it.effect(at("revoke without credentials and no v1 opt-in: nothing sent"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      const error = failureOf(
        yield* callRevoke(tokens.accessToken, { credentials: false, secrets }),
      );
      expect(error).toMatchObject({ _tag: "MissingCredentialsError", attempts: 0 });
      expect(emulator.requests).toHaveLength(0);
      expect(emulator.accessTokenState(tokens.accessToken)).toBe("active");
    }),
  );

  it.effect(at("revoke v1 opted in: the documented query form; a 400 is confirmed"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      const v1 = { credentials: false, secrets, allowV1Revoke: true } as const;
      const result = successOf(yield* callRevoke(tokens.accessToken, v1));
      expect(result).toMatchObject({
        endpoint: "v1",
        deprecated: true,
        alreadyRevoked: false,
      });
      expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
      // Again: Miro answers 400; token info confirms the token is dead.
      const again = successOf(yield* callRevoke(tokens.accessToken, v1));
      expect(again).toMatchObject({ endpoint: "v1", alreadyRevoked: true });
      // A 400 for a token that still works is not a revoke.
      const live = emulator.issueTokens().accessToken;
      emulator.queueFault("revoke-v1", { kind: "status", status: 400, body: "" });
      const refused = failureOf(yield* callRevoke(live, { ...v1, secrets: [...secrets, live] }));
      expect(refused).toMatchObject({ _tag: "RevokeRejectedError", status: 400 });
      expect(refused.message).toContain("configure client credentials");
      expect(emulator.accessTokenState(live)).toBe("active");
    }),
  );

  it.effect(at("revoke v1 gone: RevokeEndpointGoneError telling to configure credentials"), () =>
    Effect.gen(function* () {
      const { emulator, tokens, secrets } = yield* variant.fresh();
      emulator.configure({ v1Revoke: "gone" });
      const error = failureOf(
        yield* callRevoke(tokens.accessToken, {
          credentials: false,
          secrets,
          allowV1Revoke: true,
        }),
      );
      expect(error).toMatchObject({
        _tag: "RevokeEndpointGoneError",
        status: 404,
        attempts: 1,
      });
      expect(error.message).toContain("configure client credentials");
    }),
  );
};
