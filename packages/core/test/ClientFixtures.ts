// Shared fixtures for the TokenClient tests: a token, credentials, Miro-shaped bodies, a client
// layer over a scripted transport, and helpers to run a call to completion on the TestClock.
import { Effect, Exit, Fiber, Layer, Redacted } from "effect";
import { TestClock } from "effect/testing";
import {
  MiroConfig,
  type MiroConfigOptions,
  type MiroTokenError,
  TokenClient,
  type TokenSet,
} from "../src/index.ts";
import type { FakeTransport } from "./FakeTransport.ts";

export const BASE = "https://miro.test";
export const TOKEN = Redacted.make("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_access-token-0001");
export const REFRESH: Pick<TokenSet, "refreshToken"> = {
  refreshToken: Redacted.make("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_refresh-token-001"),
};
export const CREDENTIALS = { clientId: "3458764500000000001", clientSecret: "client-secret-0001" };

const entity = (type: string) => ({ type, name: `${type} name`, id: "3458764517517852417" });
export const INFO = {
  type: "oAuthToken",
  organization: entity("organization"),
  team: entity("team"),
  createdBy: entity("user"),
  user: entity("user"),
  scopes: ["boards:read"],
};
export const TOKEN_RESPONSE =
  '{"token_type":"bearer","team_id":3074457358607431473,"user_id":"3458764517517852417","access_token":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_new-access-0001","refresh_token":"eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_new-refresh-001","scope":"boards:read identity:read","expires_in":3599}';

/** A stored pair whose access token is due for a refresh (refresher tests). */
export const STORED_SET: TokenSet = {
  accessToken: TOKEN,
  refreshToken: Redacted.make("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_refresh-token-001"),
  expiresAt: 0,
  scopes: ["boards:read"],
};

/** Miro's 200 answer to a refresh. */
export const TOKEN_OK = {
  status: 200,
  body: TOKEN_RESPONSE,
  headers: { "content-type": "application/json" },
} as const;

export const layerWith = (transport: FakeTransport, config: MiroConfigOptions = {}) =>
  TokenClient.layer.pipe(
    Layer.provide(Layer.mergeAll(transport.layer, MiroConfig.layer({ baseUrl: BASE, ...config }))),
  );

/** Run to completion, letting the TestClock run through every wait. */
export const settle = <A>(
  effect: Effect.Effect<A, MiroTokenError, TokenClient>,
  layer: Layer.Layer<TokenClient>,
) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(Effect.provide(effect, layer));
    yield* TestClock.adjust("10 minutes");
    return yield* Fiber.await(fiber);
  });

export const failure = <A>(exit: Exit.Exit<A, MiroTokenError>): MiroTokenError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const error = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (error?._tag !== "Fail")
    throw new Error(`expected a typed failure, got ${String(exit.cause)}`);
  return error.error;
};
