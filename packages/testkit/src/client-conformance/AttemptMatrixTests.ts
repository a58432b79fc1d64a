/**
 * Runs the attempt matrix (`AttemptMatrix.ts`, RELIABILITY target 1): every endpoint x every
 * fault, on the documented emulator profile. The fault persists for every attempt; the test
 * checks the typed error and that the emulator's request log holds exactly the attempts the
 * policy allows.
 */
import { expect } from "@effect/vitest";
import type { IssuedTokens } from "@miro-token/emulator";
import { Effect, Redacted } from "effect";
import { type Endpoint, MATRIX, ROUTE_OF } from "./AttemptMatrix.ts";
import { call, failureOf } from "./Call.ts";
import type { ClientIt } from "./ClientHarness.ts";
import { fresh, requestsTo } from "./FreshCase.ts";

const runEndpoint = (endpoint: Endpoint, tokens: IssuedTokens, secrets: ReadonlyArray<string>) =>
  call<unknown>(
    (client) => {
      switch (endpoint) {
        case "info":
          return client.info(Redacted.make(tokens.accessToken));
        case "revoke":
          return client.revoke(Redacted.make(tokens.accessToken));
        case "refresh":
          return client.refresh({ refreshToken: Redacted.make(tokens.refreshToken ?? "") });
      }
    },
    { credentials: true, secrets },
  );

/** Registers one test per endpoint and matrix row. */
export const attemptMatrixTests = (it: ClientIt): void => {
  for (const row of MATRIX) {
    for (const endpoint of ["info", "revoke", "refresh"] as const) {
      const expected = row.expect[endpoint];
      it.effect(
        `attempt matrix: ${endpoint} x ${row.name} -> ${expected.tag} after ${expected.attempts}`,
        () =>
          Effect.gen(function* () {
            const { emulator, tokens, secrets } = yield* fresh();
            emulator.queueFault(ROUTE_OF[endpoint], row.fault, 5);
            const error = failureOf(yield* runEndpoint(endpoint, tokens, secrets));
            expect(error._tag).toBe(expected.tag);
            if (expected.kind !== undefined) expect(error).toMatchObject({ kind: expected.kind });
            expect(error.attempts).toBe(expected.attempts);
            expect(requestsTo(emulator, ROUTE_OF[endpoint])).toBe(expected.attempts);
            if (error._tag !== "TransportError") expect(typeof error.status).toBe("number");
          }),
      );
    }
  }
};
