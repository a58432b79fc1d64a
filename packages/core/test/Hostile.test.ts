// RELIABILITY target 6 for core: thousands of generated statuses, headers and bodies through
// every operation end in a success or a typed error — never a defect, never a secret on the
// error. Waits are configured to zero so the property runs on the real clock.
import { describe, expect, it } from "@effect/vitest";
import { Cause, Effect, Exit, Layer, Redacted } from "effect";
import fc from "fast-check";
import { isMiroTokenError, MiroConfig, type MiroTokenError, TokenClient } from "../src/index.ts";
import { fakeTransport, type Step } from "./FakeTransport.ts";
import { leaks, randomSecret, surfaces } from "./LeakCheck.ts";

const ACCESS = randomSecret();
const REFRESH = randomSecret();
const SECRET = randomSecret();

const hostileBody = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constantFrom(
    "",
    ACCESS,
    `{"access_token":${ACCESS}}`,
    `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
    `{"code":"${ACCESS}","message":"${REFRESH}"}`,
    '{"type":"oAuthToken","team":{"type":"team","name":"t","id":1e400}}',
    '{"access_token":"a","team_id":30744573586074314731234,"expires_in":"soon"}',
    "\uFFFD\uD800 not utf-8",
    "null",
    "[]",
  ),
);

const hostileHeaders = fc.dictionary(
  fc.constantFrom(
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "content-type",
  ),
  fc.oneof(fc.string(), fc.constant(ACCESS), fc.nat().map(String), fc.constant("0")),
);

const hostileStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    status: fc.oneof(
      fc.integer({ min: 100, max: 599 }),
      fc.constantFrom(200, 204, 400, 401, 404, 429, 503),
    ),
    body: hostileBody,
    headers: hostileHeaders,
  }),
  fc.constantFrom<Step>(
    { fail: "Network" },
    { fail: "Timeout" },
    { fail: "BodyTooLarge" },
    { fail: "Aborted" },
  ),
);

const layerFor = (steps: ReadonlyArray<Step>, credentials: boolean) =>
  TokenClient.layer.pipe(
    Layer.provide(
      Layer.mergeAll(
        fakeTransport(...steps).layer,
        MiroConfig.layer({
          baseUrl: "https://miro.test",
          retry: { delay: 0, backoffLimit: 0, maxRetryAfter: 0 },
          ...(credentials ? { clientId: "c", clientSecret: SECRET } : {}),
        }),
      ),
    ),
  );

const calls: ReadonlyArray<Effect.Effect<unknown, MiroTokenError, TokenClient>> = [
  TokenClient.info(Redacted.make(ACCESS)),
  TokenClient.revoke(Redacted.make(ACCESS)),
  TokenClient.refresh({ refreshToken: Redacted.make(REFRESH) }),
  TokenClient.exchangeCode(Redacted.make(REFRESH), "https://app.test/cb"),
];

describe("hostile responses (target 6)", () => {
  it("end in a result or a typed, secret-free error, 2,500 scripts x 4 operations", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileStep, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: calls.length - 1 }),
        async (steps, credentials, which) => {
          const exit = await Effect.runPromiseExit(
            Effect.provide(
              calls[which] as Effect.Effect<unknown, MiroTokenError, TokenClient>,
              layerFor(steps, credentials),
            ),
          );
          if (Exit.isSuccess(exit)) return true;
          expect(Cause.hasDies(exit.cause)).toBe(false);
          const [reason] = exit.cause.reasons;
          expect(reason?._tag).toBe("Fail");
          if (reason?._tag !== "Fail") return false;
          expect(isMiroTokenError(reason.error)).toBe(true);
          expect(leaks(surfaces(reason.error), [ACCESS, REFRESH, SECRET])).toEqual([]);
          return true;
        },
      ),
      { numRuns: 2_500, seed: 6 },
    );
  }, 120_000);
});
