/**
 * One client call under test, and the checks every call gets whatever it tests: a failure is a
 * typed error (never a defect) with no secret on any surface (RELIABILITY target 8), and no
 * secret travelled in a URL (target 9). The shorthands at the end are the calls the suite makes
 * again and again, so each test reads as what it asks of the client.
 */
import { expect } from "@effect/vitest";
import {
  HttpTransport,
  isMiroTokenError,
  MiroConfig,
  type MiroConfigOptions,
  type MiroTokenError,
  makeRetryQuota,
  RetryQuota,
  TokenClient,
} from "@miro-token/core";
import { Effect, Exit, Fiber, Layer, Redacted } from "effect";
import { TestClock } from "effect/testing";
import { expectNoLeak } from "../LeakAssertion.ts";
import { ClientHarness } from "./ClientHarness.ts";
import { drive } from "./Drive.ts";

/**
 * Client timings for the suite: 2 s attempts (probes and the token endpoint alike), so even
 * hangs always get every attempt.
 */
const SUITE_CONFIG: MiroConfigOptions = {
  attemptTimeout: "2 seconds",
  tokenAttemptTimeout: "2 seconds",
};

/** How one call is set up, and what it must not leak. */
export interface CallOptions {
  /** Configure the emulator's client credentials (revoke v2, refresh, exchange). */
  readonly credentials: boolean;
  /** Secrets that must never appear on an error or in a URL. */
  readonly secrets: ReadonlyArray<string>;
  /** Run on the live clock with these client settings instead of driving the TestClock. */
  readonly live?: MiroConfigOptions;
  /** Opt in to v1 revoke without credentials: its requests then carry the token in the URL. */
  readonly allowV1Revoke?: boolean;
}

/**
 * Run one client call to completion against the emulator, then check targets 8 and 9: a failure
 * is a typed error (never a defect) carrying none of the secrets, no request carried a secret in
 * its URL, and with credentials configured nothing went to the deprecated v1 revoke.
 */
export const call = <A>(
  use: (client: TokenClient["Service"]) => Effect.Effect<A, MiroTokenError>,
  options: CallOptions,
) =>
  Effect.gen(function* () {
    const { emulator, transport } = yield* ClientHarness;
    const seed = emulator.seed?.client;
    const credentials =
      options.credentials && seed !== undefined
        ? { clientId: seed.clientId, clientSecret: seed.clientSecret }
        : {};
    const client = TokenClient.layer.pipe(
      Layer.provide(
        Layer.mergeAll(
          Layer.succeed(HttpTransport, transport),
          // Each case gets a full retry quota of its own: the suite checks each operation's
          // attempt policy, and the process-wide bucket would run dry across hundreds of
          // cases (core's own tests and the retry-storm scenario cover the shared bucket).
          Layer.succeed(RetryQuota, makeRetryQuota()),
          MiroConfig.layer({
            ...SUITE_CONFIG,
            ...options.live,
            baseUrl: emulator.baseUrl,
            allowV1Revoke: options.allowV1Revoke ?? false,
            ...credentials,
          }),
        ),
      ),
    );
    const secrets = [...options.secrets, ...(seed === undefined ? [] : [seed.clientSecret])];
    const program = Effect.provide(TokenClient.use(use), client);
    const exit =
      options.live === undefined
        ? yield* Effect.gen(function* () {
            const fiber = yield* Effect.forkChild(program);
            yield* drive(fiber);
            return yield* Fiber.await(fiber);
          })
        : yield* TestClock.withLive(Effect.exit(program));
    if (Exit.isFailure(exit)) {
      const reasons = exit.cause.reasons;
      expect(reasons.map((reason) => reason._tag)).toEqual(["Fail"]);
      const [reason] = reasons;
      if (reason?._tag === "Fail") {
        expect(isMiroTokenError(reason.error)).toBe(true);
        expect(typeof reason.error.retryable).toBe("boolean");
        expect(Number.isInteger(reason.error.attempts)).toBe(true);
        expect(["number", "undefined"]).toContain(typeof reason.error.status);
        expectNoLeak(reason.error, secrets);
      }
    }
    for (const request of emulator.requests) {
      // Only the opted-in v1 revoke may (must, in its documented form) carry the token in its URL.
      const allowed = options.allowV1Revoke === true && request.route === "revoke-v1";
      if (!allowed) expect(request.secretsInUrl).toBe(false);
    }
    if (options.credentials) {
      expect(emulator.requests.filter((request) => request.route === "revoke-v1")).toEqual([]);
    }
    return exit;
  });

/** The typed error of a failed exit. */
export const failureOf = <A>(exit: Exit.Exit<A, MiroTokenError>): MiroTokenError => {
  if (Exit.isSuccess(exit)) throw new Error("expected the call to fail");
  const reason = exit.cause.reasons[0];
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure");
  return reason.error;
};

/** The value of a successful exit. */
export const successOf = <A>(exit: Exit.Exit<A, MiroTokenError>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${String(exit.cause)}`);
  return exit.value;
};

/** `info(accessToken)` without client credentials (token info needs none). */
export const callInfo = (accessToken: string, secrets: ReadonlyArray<string>) =>
  call((client) => client.info(Redacted.make(accessToken)), { credentials: false, secrets });

/** `revoke(accessToken)` set up as `options` says (v2 with credentials, v1 opted in, none). */
export const callRevoke = (accessToken: string, options: CallOptions) =>
  call((client) => client.revoke(Redacted.make(accessToken)), options);

/** `refresh(refreshToken)` with client credentials; a token without one sends `""`. */
export const callRefresh = (refreshToken: string | undefined, secrets: ReadonlyArray<string>) =>
  call((client) => client.refresh({ refreshToken: Redacted.make(refreshToken ?? "") }), {
    credentials: true,
    secrets,
  });
