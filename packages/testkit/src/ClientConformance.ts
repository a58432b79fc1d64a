/**
 * The client conformance suite: core's `TokenClient`, over one transport adapter, against the
 * real Miro emulator on loopback. It checks Miro's contract end to end (info, revoke v1/v2,
 * refresh, code exchange), the RELIABILITY attempt matrix (target 1: every endpoint x every
 * fault, attempts counted in the emulator's request log and compared with the policy exactly),
 * fail-fast on `Retry-After: 100000` (target 3), hostile responses (target 6), and, on every
 * single call, that a failure is a typed error with no secret on any surface (target 8) and that
 * no secret ever travelled in a URL (target 9).
 *
 * Time: retry waits and attempt timeouts run on Effect's TestClock (two deadline tests, target
 * 5, run on the real clock instead). A call is forked and
 * `drive` advances virtual time in 100 ms steps whenever no request is in flight (the client is
 * waiting to retry) or a request has been stuck for 500 ms of real time (a hang: its timeout
 * must fire). The emulator's own clock is manual and only moves when a test says so.
 *
 * Variants: every test that depends on how Miro answers runs once per emulator variant profile
 * (the documented contract, then each undocumented alternative on its own, see the emulator
 * README): the client must rely on none of them. The fault matrix runs on the documented one.
 *
 * Each adapter's test file calls `clientConformance(name, layer)` once.
 */
import { describe, expect, layer } from "@effect/vitest";
import {
  HttpTransport,
  isMiroTokenError,
  MiroConfig,
  type MiroConfigOptions,
  type MiroTokenError,
  makeRetryQuota,
  REVOKE_MAX_ATTEMPTS,
  RetryQuota,
  TOKEN_ENDPOINT_MAX_ATTEMPTS,
  TOKEN_INFO_MAX_ATTEMPTS,
  TokenClient,
} from "@miro-token/core";
import {
  DEFAULT_RATE_LIMIT,
  DOCUMENTED_VARIANTS,
  type Emulator,
  type EmulatorRoute,
  type Fault,
  type IssuedTokens,
  startEmulator,
  type Variants,
  variantProfiles,
} from "@miro-token/emulator";
import { Context, Effect, Exit, Fiber, Layer, Redacted } from "effect";
import { TestClock } from "effect/testing";
import { errorSurfaces, findLeaks } from "./Canary.ts";

/** The emulator, and the adapter wrapped so the suite knows when a request is in flight. */
class ClientHarness extends Context.Service<
  ClientHarness,
  {
    readonly emulator: Emulator;
    readonly transport: HttpTransport["Service"];
    readonly inFlight: () => number;
  }
>()("@miro-token/testkit/ClientHarness") {
  static readonly layerWith = (transport: Layer.Layer<HttpTransport>) =>
    Layer.effect(
      ClientHarness,
      Effect.gen(function* () {
        const emulator = yield* Effect.acquireRelease(
          Effect.promise(() => startEmulator({ port: 0 })),
          (started) => Effect.promise(() => started.close()),
        );
        const adapter = yield* HttpTransport;
        let inFlight = 0;
        const counted = HttpTransport.of({
          // Passed through, so the live-clock tests run the adapter's own attempt timer.
          enforcesTimeout: adapter.enforcesTimeout,
          send: (request) =>
            Effect.suspend(() => {
              inFlight += 1;
              return adapter.send(request).pipe(
                Effect.ensuring(
                  Effect.sync(() => {
                    inFlight -= 1;
                  }),
                ),
              );
            }),
        });
        return { emulator, transport: counted, inFlight: () => inFlight };
      }),
    ).pipe(Layer.provide(transport));
}

/**
 * Client timings for the suite: 2 s attempts (probes and the token endpoint alike), so even
 * hangs always get every attempt.
 */
const SUITE_CONFIG: MiroConfigOptions = {
  attemptTimeout: "2 seconds",
  tokenAttemptTimeout: "2 seconds",
};

const realPause = (ms: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));

/** Advance virtual time while the client waits (see the header). */
const drive = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function* () {
    const harness = yield* ClientHarness;
    let stuckSince: number | undefined;
    for (let step = 0; step < 20_000; step++) {
      yield* realPause(2);
      if (fiber.pollUnsafe() !== undefined) return;
      if (harness.inFlight() > 0) {
        stuckSince ??= Date.now();
        if (Date.now() - stuckSince < 500) continue;
      } else {
        stuckSince = undefined;
      }
      yield* TestClock.adjust("100 millis");
    }
    throw new Error("drive: the call did not settle");
  });

interface CallOptions {
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
const call = <A>(
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
        expect(findLeaks(errorSurfaces(reason.error), secrets)).toEqual([]);
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
const failureOf = <A>(exit: Exit.Exit<A, MiroTokenError>): MiroTokenError => {
  if (Exit.isSuccess(exit)) throw new Error("expected the call to fail");
  const reason = exit.cause.reasons[0];
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure");
  return reason.error;
};

/** The value of a successful exit. */
const successOf = <A>(exit: Exit.Exit<A, MiroTokenError>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${String(exit.cause)}`);
  return exit.value;
};

/** A fresh emulator state for a test (under `variants`), fresh tokens; TestClock on wall time. */
const fresh = (options: { readonly expiring?: boolean; readonly variants?: Variants } = {}) =>
  Effect.gen(function* () {
    const { emulator } = yield* ClientHarness;
    emulator.clearFaults();
    emulator.clearRequests();
    emulator.configure({
      v1Revoke: "available",
      variants: options.variants ?? DOCUMENTED_VARIANTS,
      rateLimit: DEFAULT_RATE_LIMIT,
    });
    yield* TestClock.setTime(emulator.clock.now());
    const tokens = emulator.issueTokens({ expiring: options.expiring ?? true });
    const secrets = [
      tokens.accessToken,
      ...(tokens.refreshToken === undefined ? [] : [tokens.refreshToken]),
    ];
    return { emulator, tokens, secrets };
  });

const requestsTo = (emulator: Emulator, route: EmulatorRoute): number =>
  emulator.requests.filter((request) => request.route === route).length;

/** An authorization code from the emulator's auto-approving `/oauth/authorize`. */
const authorizationCode = (emulator: Emulator, redirectUri: string) =>
  Effect.promise(async () => {
    const client = emulator.seed?.client;
    if (client === undefined) throw new Error("the emulator has no seed client");
    const url = new URL("/oauth/authorize", emulator.baseUrl);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", client.clientId);
    url.searchParams.set("redirect_uri", redirectUri);
    url.searchParams.set("state", "conformance");
    const response = await fetch(url, { redirect: "manual" });
    const location = response.headers.get("location");
    const code = location === null ? null : new URL(location).searchParams.get("code");
    if (code === null) throw new Error(`authorize answered ${response.status} without a code`);
    return code;
  });

// --- the attempt matrix (RELIABILITY target 1) ----------------------------------------------

type Endpoint = "info" | "revoke" | "refresh";

interface Expected {
  readonly attempts: number;
  readonly tag: MiroTokenError["_tag"];
  readonly kind?: string;
}

const OVERSIZED_BYTES = 2 * 1024 * 1024;

/** Each fault, and what each endpoint must make of it when it persists. */
const MATRIX: ReadonlyArray<{
  readonly name: string;
  readonly fault: Fault;
  readonly expect: Readonly<Record<Endpoint, Expected>>;
}> = (() => {
  const I = TOKEN_INFO_MAX_ATTEMPTS;
  const R = REVOKE_MAX_ATTEMPTS;
  const T = TOKEN_ENDPOINT_MAX_ATTEMPTS;
  const status = (code: number, headers?: Record<string, string>): Fault =>
    headers === undefined
      ? { kind: "status", status: code }
      : { kind: "status", status: code, headers };
  const same = (
    attempts: Record<Endpoint, number>,
    tag: MiroTokenError["_tag"],
    kind?: string,
  ) => ({
    info: { attempts: attempts.info, tag, ...(kind === undefined ? {} : { kind }) },
    revoke: { attempts: attempts.revoke, tag, ...(kind === undefined ? {} : { kind }) },
    refresh: { attempts: attempts.refresh, tag, ...(kind === undefined ? {} : { kind }) },
  });
  const retried = { info: I, revoke: R, refresh: T };
  const notForRevoke = { info: I, revoke: 1, refresh: T };
  const once = { info: 1, revoke: 1, refresh: 1 };
  return [
    { name: "reset", fault: { kind: "reset" }, expect: same(retried, "TransportError", "Network") },
    { name: "hang", fault: { kind: "hang" }, expect: same(retried, "TransportError", "Timeout") },
    {
      name: "truncated body",
      fault: { kind: "truncated" },
      expect: same(retried, "TransportError", "Network"),
    },
    { name: "408", fault: status(408), expect: same(notForRevoke, "ServerError") },
    {
      name: "429 without Retry-After",
      fault: status(429),
      expect: same(retried, "RateLimitedError"),
    },
    {
      name: "429 with Retry-After",
      fault: status(429, { "retry-after": "2" }),
      expect: same(retried, "RateLimitedError"),
    },
    { name: "500", fault: status(500), expect: same(notForRevoke, "ServerError") },
    { name: "502", fault: status(502), expect: same(retried, "ServerError") },
    { name: "503 without Retry-After", fault: status(503), expect: same(retried, "ServerError") },
    {
      name: "503 with Retry-After",
      fault: status(503, { "retry-after": "3" }),
      expect: same(retried, "ServerError"),
    },
    { name: "504", fault: status(504), expect: same(retried, "ServerError") },
    {
      name: "400",
      fault: status(400),
      expect: {
        info: { attempts: 1, tag: "InvalidTokenError" },
        revoke: { attempts: 1, tag: "UnexpectedStatusError" },
        refresh: { attempts: 1, tag: "InvalidGrantError" },
      },
    },
    {
      name: "401",
      fault: status(401),
      expect: {
        info: { attempts: 1, tag: "InvalidTokenError" },
        revoke: { attempts: 1, tag: "ClientAuthError" },
        refresh: { attempts: 1, tag: "ClientAuthError" },
      },
    },
    { name: "403", fault: status(403), expect: same(once, "UnexpectedStatusError") },
    {
      name: "404",
      fault: status(404),
      expect: {
        info: { attempts: 1, tag: "UnexpectedStatusError" },
        revoke: { attempts: 1, tag: "RevokeRejectedError" },
        refresh: { attempts: 1, tag: "UnexpectedStatusError" },
      },
    },
    ...(["malformed", "html", "empty"] as const).map((kind) => ({
      name: `${kind} body on 200`,
      fault: { kind } as Fault,
      expect: {
        info: { attempts: 1, tag: "ResponseDecodeError" as const },
        // Only 204 means revoked; a 200 with a page is not a revoke.
        revoke: { attempts: 1, tag: "UnexpectedStatusError" as const },
        refresh: { attempts: 1, tag: "ResponseDecodeError" as const },
      },
    })),
    {
      name: "oversized body (2 MiB)",
      fault: { kind: "oversized", bytes: OVERSIZED_BYTES },
      expect: same(once, "TransportError", "BodyTooLarge"),
    },
  ];
})();

const ROUTE_OF: Readonly<Record<Endpoint, EmulatorRoute>> = {
  info: "token-info",
  revoke: "revoke-v2",
  refresh: "token",
};

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

/**
 * The suite, for one transport.
 *
 * @param name shown in the test names, e.g. `"fetch"`
 * @param transport the adapter's layer
 */
export const clientConformance = (name: string, transport: Layer.Layer<HttpTransport>): void => {
  describe(`${name}: TokenClient against the emulator`, () => {
    layer(ClientHarness.layerWith(transport), { timeout: "60 seconds" })((it) => {
      for (const { name: variant, variants } of variantProfiles()) {
        const at = (title: string) => `[${variant}] ${title}`;
        const freshHere = (options: { readonly expiring?: boolean } = {}) =>
          fresh({ ...options, variants });

        it.effect(at("info: reads token info and rate-limit headers"), () =>
          Effect.gen(function* () {
            const { emulator, tokens, secrets } = yield* freshHere();
            const result = successOf(
              yield* call((c) => c.info(Redacted.make(tokens.accessToken)), {
                credentials: false,
                secrets,
              }),
            );
            expect(result.info.user.id).toBe(tokens.userId);
            expect(result.info.team.id).toBe(tokens.teamId);
            expect(typeof result.info.type).toBe("string");
            expect(result.rateLimit?.limit).toBeGreaterThan(0);
            expect(requestsTo(emulator, "token-info")).toBe(1);
          }),
        );

        it.effect(at("info: expired and revoked tokens are InvalidTokenError (no retry)"), () =>
          Effect.gen(function* () {
            const { emulator, tokens, secrets } = yield* freshHere();
            const other = emulator.issueTokens();
            emulator.revokeAccess(other.accessToken);
            const revoked = failureOf(
              yield* call((c) => c.info(Redacted.make(other.accessToken)), {
                credentials: false,
                secrets: [...secrets, other.accessToken],
              }),
            );
            emulator.clock.advance(((tokens.expiresIn ?? 3599) + 2) * 1000);
            const expired = failureOf(
              yield* call((c) => c.info(Redacted.make(tokens.accessToken)), {
                credentials: false,
                secrets,
              }),
            );
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

        it.effect(at("revoke v2 with client credentials: revoked, never through v1"), () =>
          Effect.gen(function* () {
            const { emulator, tokens, secrets } = yield* freshHere();
            const result = successOf(
              yield* call((c) => c.revoke(Redacted.make(tokens.accessToken)), {
                credentials: true,
                secrets,
              }),
            );
            expect(result).toMatchObject({
              endpoint: "v2",
              deprecated: false,
              alreadyRevoked: false,
            });
            expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
            expect(requestsTo(emulator, "revoke-v2")).toBe(1);
            const again = failureOf(
              yield* call((c) => c.revoke(Redacted.make(tokens.accessToken)), {
                credentials: true,
                secrets,
              }),
            );
            expect(again).toMatchObject({ _tag: "RevokeRejectedError", status: 404, attempts: 1 });
          }),
        );

        it.effect(
          at("revoke v2: 'not found' after an ambiguous attempt means already revoked"),
          () =>
            Effect.gen(function* () {
              const { emulator, tokens, secrets } = yield* freshHere();
              // The first attempt "was processed" (the token is gone) but its connection was reset.
              emulator.revokeAccess(tokens.accessToken);
              emulator.queueFault("revoke-v2", { kind: "reset" });
              const result = successOf(
                yield* call((c) => c.revoke(Redacted.make(tokens.accessToken)), {
                  credentials: true,
                  secrets,
                }),
              );
              expect(result).toMatchObject({ endpoint: "v2", alreadyRevoked: true });
              expect(requestsTo(emulator, "revoke-v2")).toBe(2);
            }),
        );

        it.effect(at("revoke without credentials and no v1 opt-in: nothing sent"), () =>
          Effect.gen(function* () {
            const { emulator, tokens, secrets } = yield* freshHere();
            const error = failureOf(
              yield* call((c) => c.revoke(Redacted.make(tokens.accessToken)), {
                credentials: false,
                secrets,
              }),
            );
            expect(error).toMatchObject({ _tag: "MissingCredentialsError", attempts: 0 });
            expect(emulator.requests).toHaveLength(0);
            expect(emulator.accessTokenState(tokens.accessToken)).toBe("active");
          }),
        );

        it.effect(at("revoke v1 opted in: the documented query form; a 400 is confirmed"), () =>
          Effect.gen(function* () {
            const { emulator, tokens, secrets } = yield* freshHere();
            const v1 = { credentials: false, secrets, allowV1Revoke: true } as const;
            const revoke = (token: string) => call((c) => c.revoke(Redacted.make(token)), v1);
            const result = successOf(yield* revoke(tokens.accessToken));
            expect(result).toMatchObject({
              endpoint: "v1",
              deprecated: true,
              alreadyRevoked: false,
            });
            expect(emulator.accessTokenState(tokens.accessToken)).toBe("revoked");
            // Again: Miro answers 400; token info confirms the token is dead.
            const again = successOf(yield* revoke(tokens.accessToken));
            expect(again).toMatchObject({ endpoint: "v1", alreadyRevoked: true });
            // A 400 for a token that still works is not a revoke.
            const live = emulator.issueTokens().accessToken;
            emulator.queueFault("revoke-v1", { kind: "status", status: 400, body: "" });
            const refused = failureOf(
              yield* call((c) => c.revoke(Redacted.make(live)), {
                ...v1,
                secrets: [...secrets, live],
              }),
            );
            expect(refused).toMatchObject({ _tag: "RevokeRejectedError", status: 400 });
            expect(refused.message).toContain("configure client credentials");
            expect(emulator.accessTokenState(live)).toBe("active");
          }),
        );

        it.effect(
          at("revoke v1 gone: RevokeEndpointGoneError telling to configure credentials"),
          () =>
            Effect.gen(function* () {
              const { emulator, tokens, secrets } = yield* freshHere();
              emulator.configure({ v1Revoke: "gone" });
              const error = failureOf(
                yield* call((c) => c.revoke(Redacted.make(tokens.accessToken)), {
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

        it.effect(at("refresh: rotates the pair and keeps every digit of team_id"), () =>
          Effect.gen(function* () {
            const { emulator, tokens, secrets } = yield* freshHere();
            const now = emulator.clock.now();
            const set = successOf(
              yield* call(
                (c) => c.refresh({ refreshToken: Redacted.make(tokens.refreshToken ?? "") }),
                { credentials: true, secrets },
              ),
            );
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
            const { tokens, secrets } = yield* freshHere();
            const refreshToken = Redacted.make(tokens.refreshToken ?? "");
            successOf(
              yield* call((c) => c.refresh({ refreshToken }), { credentials: true, secrets }),
            );
            const error = failureOf(
              yield* call((c) => c.refresh({ refreshToken }), { credentials: true, secrets }),
            );
            // 400 invalid grant, or the 401 oauthError Miro documents: both end the grant.
            expect(["InvalidGrantError", "ClientAuthError"]).toContain(error._tag);
            expect(error).toMatchObject({ attempts: 1, retryable: false });
          }),
        );

        it.effect(
          at("refresh: a lost response after rotation ends in RefreshOutcomeUnknownError, no loop"),
          () =>
            Effect.gen(function* () {
              const { emulator, tokens, secrets } = yield* freshHere();
              // The emulator rotates, then drips the answer slower than the attempt timeout.
              emulator.queueFault("token", { kind: "drip", intervalMs: 10_000 });
              const error = failureOf(
                yield* call(
                  (c) => c.refresh({ refreshToken: Redacted.make(tokens.refreshToken ?? "") }),
                  { credentials: true, secrets },
                ),
              );
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
            const { emulator, secrets } = yield* freshHere();
            const redirectUri = "http://127.0.0.1:8765/callback";
            const code = yield* authorizationCode(emulator, redirectUri);
            const set = successOf(
              yield* call((c) => c.exchangeCode(Redacted.make(code), redirectUri), {
                credentials: true,
                secrets: [...secrets, code],
              }),
            );
            expect(emulator.accessTokenState(Redacted.value(set.accessToken))).toBe("active");
            const reused = failureOf(
              yield* call((c) => c.exchangeCode(Redacted.make(code), redirectUri), {
                credentials: true,
                secrets: [...secrets, code],
              }),
            );
            expect(["InvalidGrantError", "ClientAuthError"]).toContain(reused._tag);
            expect(reused).toMatchObject({ attempts: 1, retryable: false });
          }),
        );

        it.effect(
          at("429 from the real rate limit: the wait is read with or without Retry-After"),
          () =>
            Effect.gen(function* () {
              const { emulator, tokens, secrets } = yield* freshHere();
              emulator.configure({ rateLimit: { creditsPerMinute: 0 } });
              // One second before the window resets, so every wait fits the deadline.
              emulator.clock.set(Math.ceil((emulator.clock.now() + 1) / 60_000) * 60_000 - 1_000);
              yield* TestClock.setTime(emulator.clock.now());
              const error = failureOf(
                yield* call((c) => c.info(Redacted.make(tokens.accessToken)), {
                  credentials: false,
                  secrets,
                }),
              );
              expect(error).toMatchObject({ _tag: "RateLimitedError", status: 429 });
              if (error._tag !== "RateLimitedError") return;
              // X-RateLimit-Reset is always there; Retry-After only under retryAfter=present.
              expect(error.resetAt).toBeGreaterThan(0);
              expect(error.retryAfter !== undefined).toBe(variants.retryAfter === "present");
              expect(requestsTo(emulator, "token-info")).toBe(TOKEN_INFO_MAX_ATTEMPTS);
            }),
        );
      }

      it.effect("info: a token that cannot be a header value is refused before any request", () =>
        Effect.gen(function* () {
          const { emulator, tokens, secrets } = yield* fresh();
          for (const bad of [
            `${tokens.accessToken}\n`,
            `${tokens.accessToken}\u0000`,
            ` ${tokens.accessToken}`,
          ]) {
            const error = failureOf(
              yield* call((c) => c.info(Redacted.make(bad)), { credentials: false, secrets }),
            );
            expect(error).toMatchObject({ _tag: "MalformedTokenError", attempts: 0 });
          }
          expect(emulator.requests).toHaveLength(0);
        }),
      );

      it.effect("Retry-After: 100000 fails fast with RateLimitedError, without sleeping", () =>
        Effect.gen(function* () {
          const { emulator, tokens, secrets } = yield* fresh();
          emulator.queueFault(
            "token-info",
            { kind: "status", status: 429, headers: { "retry-after": "100000" } },
            5,
          );
          const started = Date.now();
          const error = failureOf(
            yield* call((c) => c.info(Redacted.make(tokens.accessToken)), {
              credentials: false,
              secrets,
            }),
          );
          expect(Date.now() - started).toBeLessThan(1_000);
          expect(error).toMatchObject({
            _tag: "RateLimitedError",
            attempts: 1,
            status: 429,
            retryAfter: 100_000_000,
          });
          expect(requestsTo(emulator, "token-info")).toBe(1);
        }),
      );

      for (const fault of [{ kind: "hang" }, { kind: "drip", intervalMs: 200 }] as const) {
        it.effect(
          `deadline on the real clock: ${fault.kind} settles within deadline + 250 ms`,
          () =>
            Effect.gen(function* () {
              const { emulator, tokens, secrets } = yield* fresh();
              emulator.queueFault("token-info", fault, 10);
              const deadline = 1_500;
              const started = Date.now();
              const error = failureOf(
                yield* call((c) => c.info(Redacted.make(tokens.accessToken)), {
                  credentials: false,
                  secrets,
                  live: {
                    attemptTimeout: "400 millis",
                    deadline,
                    retry: { delay: "50 millis", backoffLimit: "100 millis" },
                  },
                }),
              );
              expect(Date.now() - started).toBeLessThanOrEqual(deadline + 250);
              expect(error).toMatchObject({ _tag: "TransportError", kind: "Timeout", attempts: 3 });
            }),
        );
      }

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
                if (expected.kind !== undefined)
                  expect(error).toMatchObject({ kind: expected.kind });
                expect(error.attempts).toBe(expected.attempts);
                expect(requestsTo(emulator, ROUTE_OF[endpoint])).toBe(expected.attempts);
                if (error._tag !== "TransportError") expect(typeof error.status).toBe("number");
              }),
          );
        }
      }
    });
  });
};
