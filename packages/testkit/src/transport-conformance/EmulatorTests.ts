/**
 * The transport suite's second half: the same adapter against the Miro emulator's real routes.
 * Token info with the bearer token in a header, a refresh grant's form body, a v2 revoke's JSON
 * body and its 204, error statuses and odd bodies returned as they are, and the emulator's
 * scripted faults (reset, truncation, oversized body, hang, drip) mapped or ended the same way
 * as against the fault server.
 */
import { expect } from "@effect/vitest";
import { TransportError, type TransportRequest } from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { Cause, Effect, Exit, Fiber } from "effect";
import { expectNoLeak } from "../LeakAssertion.ts";
import { type EmulatorIt, MiroEmulator } from "./MiroEmulator.ts";
import { CAP, MiB, post, send } from "./Requests.ts";

const seedOf = (emulator: Emulator) => {
  const seed = emulator.seed;
  if (seed === undefined) throw new Error("the emulator started without a seed");
  return seed;
};

const tokenInfo = (emulator: Emulator, token: string): TransportRequest => ({
  method: "GET",
  url: `${emulator.baseUrl}/v1/oauth-token`,
  headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  maxBodyBytes: CAP,
});

/** Token info for the seed token fails with a `TransportError` of `kind` that does not leak it. */
const expectEmulatorError = (emulator: Emulator, kind: TransportError["kind"]) =>
  Effect.gen(function* () {
    const token = seedOf(emulator).tokens.accessToken;
    const error = yield* Effect.flip(send(tokenInfo(emulator, token)));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe(kind);
    expectNoLeak(error, [token]);
    return error;
  });

/** Registers the tests against the emulator. */
export const emulatorTests = (it: EmulatorIt): void => {
  it.effect("reads token info with the bearer token in the header", () =>
    Effect.gen(function* () {
      const emulator = yield* MiroEmulator;
      const response = yield* send(tokenInfo(emulator, seedOf(emulator).tokens.accessToken));
      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toContain("application/json");
      expect(JSON.parse(response.body).type).toBe("oAuthToken");
      expect(emulator.requests.at(-1)).toMatchObject({
        method: "GET",
        route: "token-info",
        status: 200,
        secretsInUrl: false,
      });
    }),
  );

  it.effect("sends a refresh grant's form body intact", () =>
    Effect.gen(function* () {
      const emulator = yield* MiroEmulator;
      const { client } = seedOf(emulator);
      const issued = emulator.issueTokens({ clientId: client.clientId });
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        client_id: client.clientId,
        client_secret: client.clientSecret,
        refresh_token: issued.refreshToken ?? "",
      });
      const response = yield* send(
        post(
          `${emulator.baseUrl}/v1/oauth/token`,
          "application/x-www-form-urlencoded",
          form.toString(),
        ),
      );
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).access_token).toEqual(expect.any(String));
      expect(emulator.refreshTokenState(issued.refreshToken ?? "")).toBe("rotated");
    }),
  );

  it.effect("sends a v2 revoke's JSON body intact and reads the 204", () =>
    Effect.gen(function* () {
      const emulator = yield* MiroEmulator;
      const { client } = seedOf(emulator);
      const issued = emulator.issueTokens({ clientId: client.clientId });
      const response = yield* send(
        post(
          `${emulator.baseUrl}/v2/oauth/revoke`,
          "application/json",
          JSON.stringify({
            accessToken: issued.accessToken,
            clientId: client.clientId,
            clientSecret: client.clientSecret,
          }),
        ),
      );
      expect([response.status, response.body]).toEqual([204, ""]);
      expect(emulator.accessTokenState(issued.accessToken)).toBe("revoked");
    }),
  );

  it.effect("returns error statuses and odd bodies as they are", () =>
    Effect.gen(function* () {
      const emulator = yield* MiroEmulator;
      const request = tokenInfo(emulator, seedOf(emulator).tokens.accessToken);
      emulator.queueFault("token-info", {
        kind: "status",
        status: 503,
        headers: { "retry-after": "100000" },
      });
      emulator.queueFault("token-info", { kind: "malformed" });
      emulator.queueFault("token-info", { kind: "html" });
      emulator.queueFault("token-info", { kind: "empty" });
      const unavailable = yield* send(request);
      expect([unavailable.status, unavailable.headers["retry-after"]]).toEqual([503, "100000"]);
      const malformed = yield* send(request);
      expect(malformed.body).toBe('{"type":"oAuthToken","scopes":[boards:read');
      const html = yield* send(request);
      expect(html.body).toContain("<!DOCTYPE html>");
      const empty = yield* send(request);
      expect([empty.status, empty.body]).toEqual([200, ""]);
    }),
  );

  it.effect("maps a reset and a truncated body to Network", () =>
    Effect.gen(function* () {
      const emulator = yield* MiroEmulator;
      emulator.queueFault("token-info", { kind: "reset" });
      yield* expectEmulatorError(emulator, "Network");
      emulator.queueFault("token-info", { kind: "truncated" });
      yield* expectEmulatorError(emulator, "Network");
    }),
  );

  it.effect("stops a 10 MB body at a 1 MiB cap", () =>
    Effect.gen(function* () {
      const emulator = yield* MiroEmulator;
      emulator.queueFault("token-info", { kind: "oversized", bytes: 10 * MiB });
      const rssBefore = process.memoryUsage().rss;
      yield* expectEmulatorError(emulator, "BodyTooLarge");
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(20 * MiB);
    }),
  );

  it.effect("ends a hanging request on timeout, and a dripping one on interrupt", () =>
    Effect.gen(function* () {
      const emulator = yield* MiroEmulator;
      const request = tokenInfo(emulator, seedOf(emulator).tokens.accessToken);
      emulator.queueFault("token-info", { kind: "hang" });
      const started = Date.now();
      const hung = yield* send(request).pipe(Effect.timeout("150 millis"), Effect.exit);
      expect(Exit.isFailure(hung) && Cause.pretty(hung.cause)).toContain("TimeoutError");
      emulator.queueFault("token-info", { kind: "drip", intervalMs: 20 });
      const fiber = yield* Effect.forkChild(send(request));
      yield* Effect.sleep("100 millis");
      yield* Fiber.interrupt(fiber);
      expect(Exit.hasInterrupts(yield* Fiber.await(fiber))).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
      // The transport still works afterwards.
      expect((yield* send(request)).status).toBe(200);
    }),
  );
};
