// RELIABILITY target 8 for core: across every failure path, with responses that echo the token
// (in the body, in Miro's error code, in a header), no canary reaches any error surface or
// any log line at any level.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Exit, Fiber, Layer, Logger, Redacted, References } from "effect";
import { TestClock } from "effect/testing";
import { MiroConfig, type MiroTokenError, TokenClient } from "../src/index.ts";
import { fakeTransport, type Step } from "./FakeTransport.ts";
import { leaks, randomSecret, surfaces } from "./LeakCheck.ts";

describe("no canary on any error surface", () => {
  it.effect("holds for every operation x hostile response", () =>
    Effect.gen(function* () {
      const access = randomSecret();
      const refresh = randomSecret();
      const secret = randomSecret();
      const secrets = [access, refresh, secret];
      const hostile: ReadonlyArray<Step> = [
        { status: 200, body: access },
        { status: 200, body: `${access}"}` },
        { status: 200, body: `{"access_token": ${access}}` },
        { status: 400, body: JSON.stringify({ code: access, message: access }) },
        { status: 401, body: JSON.stringify({ code: refresh, message: secret }) },
        { status: 404, body: access },
        {
          status: 429,
          body: access,
          headers: { "retry-after": access, "x-ratelimit-reset": access },
        },
        { status: 503, body: access },
        { status: 403, body: JSON.stringify({ code: secret }) },
        { fail: "Network" },
        { fail: "BodyTooLarge" },
      ];
      const badTokens = [`${access}\n`, `${access}\u0000`, ` ${access}`, `${access}é`];
      const logLines: Array<string> = [];
      const captureLogs = Logger.layer([
        Logger.map(Logger.formatJson, (line) => logLines.push(line)),
      ]);
      let failures = 0;
      for (const credentials of [{}, { clientId: "c", clientSecret: secret }]) {
        for (const step of hostile) {
          const t = fakeTransport(step);
          const layer = TokenClient.layer.pipe(
            Layer.provide(
              Layer.mergeAll(
                t.layer,
                MiroConfig.layer({ baseUrl: "https://miro.test", ...credentials }),
              ),
            ),
          );
          const calls: ReadonlyArray<Effect.Effect<unknown, MiroTokenError, TokenClient>> = [
            TokenClient.info(Redacted.make(access)),
            TokenClient.revoke(Redacted.make(access)),
            TokenClient.refresh({ refreshToken: Redacted.make(refresh) }),
            TokenClient.exchangeCode(Redacted.make(refresh), "https://app.test/cb"),
            ...badTokens.map((bad) => TokenClient.info(Redacted.make(bad))),
            ...badTokens.map((bad) => TokenClient.refresh({ refreshToken: Redacted.make(bad) })),
          ];
          for (const call of calls) {
            const fiber = yield* Effect.forkChild(
              call.pipe(
                Effect.provide(layer),
                Effect.provide(captureLogs),
                Effect.provideService(References.MinimumLogLevel, "All"),
              ),
            );
            yield* TestClock.adjust("2 minutes");
            const exit = yield* Fiber.await(fiber);
            if (Exit.isSuccess(exit)) continue;
            failures++;
            const [reason] = exit.cause.reasons;
            expect(reason?._tag).toBe("Fail");
            if (reason?._tag === "Fail") expect(leaks(surfaces(reason.error), secrets)).toEqual([]);
          }
          for (const request of t.requests) expect(leaks(request.url, secrets)).toEqual([]);
        }
      }
      expect(failures).toBeGreaterThan(200);
      expect(logLines.length).toBeGreaterThan(50);
      expect(leaks(logLines.join("\n"), secrets)).toEqual([]);
    }),
  );
});
