/**
 * The token client: Miro's token operations as Effect programs with typed errors, the one
 * retry layer, per-attempt timeouts and an overall deadline.
 *
 * ```ts
 * const program = Effect.gen(function* () {
 *   const { info } = yield* TokenClient.info(Redacted.make(token))
 *   return info.user.name
 * })
 * ```
 *
 * `TokenClient.layer` needs an {@link HttpTransport} (one of the transport packages) and a
 * {@link MiroConfig}. Each method runs in a span named after it when a tracer is installed.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, type Redacted } from "effect";
import type { GrantError, RevokeError, TokenInfoError } from "./Errors.ts";
import { HttpTransport } from "./HttpTransport.ts";
import { MiroConfig } from "./MiroConfig.ts";
import { spannedWhenTracing } from "./OptionalSpan.ts";
import { type RevokeResult, revokeToken } from "./operations/RevokeOperation.ts";
import {
  exchangeAuthorizationCode,
  type RefreshInput,
  refreshTokenSet,
} from "./operations/TokenEndpoint.ts";
import { type TokenInfoResult, tokenInfo } from "./operations/TokenInfoOperation.ts";
import { RetryQuota } from "./RetryQuota.ts";
import type { TokenSet } from "./TokenSet.ts";

/**
 * The operations.
 *
 * @category models
 * @since 0.1.0
 */
export interface TokenClientShape {
  /** `GET /v1/oauth-token`: what Miro knows about the token, with rate-limit headers. */
  readonly info: (
    token: Redacted.Redacted<string>,
  ) => Effect.Effect<TokenInfoResult, TokenInfoError>;
  /** Revoke the token (v2 with client credentials, else the deprecated v1). */
  readonly revoke: (token: Redacted.Redacted<string>) => Effect.Effect<RevokeResult, RevokeError>;
  /**
   * A new token set for the set's refresh token (which Miro then retires). Ids and scopes the
   * response leaves out are carried over from the input.
   */
  readonly refresh: (tokenSet: RefreshInput) => Effect.Effect<TokenSet, GrantError>;
  /** A token set for an authorization code. */
  readonly exchangeCode: (
    code: Redacted.Redacted<string>,
    redirectUri: string,
  ) => Effect.Effect<TokenSet, GrantError>;
}

/**
 * The token client service.
 *
 * @category services
 * @since 0.1.0
 */
export class TokenClient extends Context.Service<TokenClient, TokenClientShape>()(
  "@miro-token/core/TokenClient",
) {
  /**
   * The client, over the provided transport and configuration.
   *
   * @since 0.1.0
   */
  static layer: Layer.Layer<TokenClient, never, HttpTransport | MiroConfig> = Layer.effect(
    TokenClient,
    Effect.gen(function* () {
      const services = {
        transport: yield* HttpTransport,
        config: yield* MiroConfig,
        quota: yield* RetryQuota,
      };
      const spans = {
        info: spannedWhenTracing("TokenClient.info"),
        revoke: spannedWhenTracing("TokenClient.revoke"),
        refresh: spannedWhenTracing("TokenClient.refresh"),
        exchangeCode: spannedWhenTracing("TokenClient.exchangeCode"),
      };
      return TokenClient.of({
        info: (token) => spans.info(() => tokenInfo(services, token)),
        revoke: (token) => spans.revoke(() => revokeToken(services, token)),
        refresh: (tokenSet) => spans.refresh(() => refreshTokenSet(services, tokenSet)),
        exchangeCode: (code, redirectUri) =>
          spans.exchangeCode(() => exchangeAuthorizationCode(services, code, redirectUri)),
      });
    }),
  );

  /**
   * `info` through the service in context.
   *
   * @since 0.1.0
   */
  static info = (
    token: Redacted.Redacted<string>,
  ): Effect.Effect<TokenInfoResult, TokenInfoError, TokenClient> =>
    TokenClient.use((client) => client.info(token));

  /**
   * `revoke` through the service in context.
   *
   * @since 0.1.0
   */
  static revoke = (
    token: Redacted.Redacted<string>,
  ): Effect.Effect<RevokeResult, RevokeError, TokenClient> =>
    TokenClient.use((client) => client.revoke(token));

  /**
   * `refresh` through the service in context.
   *
   * @since 0.1.0
   */
  static refresh = (tokenSet: RefreshInput): Effect.Effect<TokenSet, GrantError, TokenClient> =>
    TokenClient.use((client) => client.refresh(tokenSet));

  /**
   * `exchangeCode` through the service in context.
   *
   * @since 0.1.0
   */
  static exchangeCode = (
    code: Redacted.Redacted<string>,
    redirectUri: string,
  ): Effect.Effect<TokenSet, GrantError, TokenClient> =>
    TokenClient.use((client) => client.exchangeCode(code, redirectUri));
}
