/**
 * Hostile input never makes an adapter leak or crash: a bad header value, an unparseable URL
 * or a bad header name is refused without echoing the secret in it, and 200 generated hostile
 * responses (`HostileResponse.ts`) each end in a response or a leak-free typed error.
 */
import { describe, expect } from "@effect/vitest";
import { HttpTransport } from "@miro-token/core";
import { Effect, Exit } from "effect";
import fc from "fast-check";
import { FaultServer, type FaultServerIt } from "./FaultServer.ts";
import { checkHostileOutcome, encode, hostileResponse } from "./HostileResponse.ts";
import { startHostileServer } from "./HostileServer.ts";
import { canaries, expectTransportError, request } from "./Requests.ts";

/** Registers the "never leaks a secret" group. */
export const secretLeakTests = (it: FaultServerIt): void => {
  describe("never leaks a secret", () => {
    it.effect.each(["\n", "\0", "\r\nx-injected: 1", "\u0100"])(
      "rejects an authorization header ending in %j without echoing it",
      (suffix) =>
        Effect.gen(function* () {
          const server = yield* FaultServer;
          const error = yield* expectTransportError(
            request(`${server.baseUrl}/echo`, {
              headers: { authorization: `Bearer ${canaries.accessToken}${suffix}` },
            }),
            "Network",
          );
          expect(error.reason).toBe("INVALID_HEADER_VALUE");
        }),
    );

    it.effect("rejects an unparseable URL without echoing it", () =>
      Effect.gen(function* () {
        const error = yield* expectTransportError(
          request(`http://[::1${canaries.accessToken}/v1/oauth-token`),
          "Network",
        );
        expect([error.reason, error.endpoint]).toEqual(["INVALID_URL", "<invalid url>"]);
      }),
    );

    it.effect("rejects a header name that is not a token", () =>
      Effect.gen(function* () {
        const server = yield* FaultServer;
        const error = yield* expectTransportError(
          request(`${server.baseUrl}/echo`, {
            headers: { [`x-${canaries.accessToken}:`]: "1" },
          }),
          "Network",
        );
        expect(error.reason).toBe("INVALID_HEADER_NAME");
      }),
    );
  });
};

/** Registers the hostile-response property test. */
export const hostileResponseTests = (it: FaultServerIt): void => {
  it.effect(
    "gives only typed, leak-free outcomes for 200 hostile responses",
    () =>
      Effect.gen(function* () {
        const transport = yield* HttpTransport;
        const hostile = yield* Effect.acquireRelease(
          Effect.promise(() => startHostileServer()),
          (server) => Effect.promise(() => server.close()),
        );
        const outcomes = { ok: 0, failed: 0 };
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(hostileResponse, async (response) => {
              hostile.next = encode(response);
              const exit = await Effect.runPromiseExit(
                transport.send(request(`${hostile.baseUrl}/v1/oauth-token`)),
              );
              checkHostileOutcome(response, exit);
              outcomes[Exit.isSuccess(exit) ? "ok" : "failed"]++;
            }),
            { numRuns: 200, seed: 42 },
          ),
        );
        // The generator must exercise both sides of the contract.
        expect(outcomes.ok).toBeGreaterThan(20);
        expect(outcomes.failed).toBeGreaterThan(20);
      }),
    60_000,
  );
};
