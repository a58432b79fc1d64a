/**
 * `POST /v1/oauth/token`: refreshing a token set and exchanging an authorization code. Every
 * parameter (client id and secret, refresh token or code, redirect URI) travels in an
 * `application/x-www-form-urlencoded` body; the URL carries none (Miro's docs show them in the
 * query, where they end up in logs).
 *
 * Outcomes: 200 → a new {@link TokenSet} (expiry from the Effect `Clock` at receipt);
 * 400 → {@link InvalidGrantError}; 401 → {@link ClientAuthError}; other non-transient statuses
 * → {@link UnexpectedStatusError}.
 *
 * Each attempt is bounded by `tokenAttemptTimeout` (default 20 s, longer than the probes'
 * `attemptTimeout`), within the operation's `deadline`.
 *
 * Retries. A grant is single use: Miro rotates the refresh token on every refresh and a code
 * works once, so a blind re-send after a lost response can lose access. The rule:
 * - at most 2 attempts, both with the very same grant (the request is built once);
 * - retried after network failures, timeouts, 408, 429 and 5xx;
 * - when the first attempt failed ambiguously (reset or timeout after sending, 500/502/504 —
 *   Miro may have rotated) and the retry is rejected with 400 or 401 (Miro documents only a
 *   401 `oauthError` for token-endpoint failures), the outcome is unknown:
 *   {@link RefreshOutcomeUnknownError}. The caller must re-read its token store (another
 *   process may hold the new pair) or re-authorize. Never a loop.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Redacted, Schema } from "effect";
import {
  ClientAuthError,
  type GrantError,
  type GrantType,
  InvalidGrantError,
  MissingCredentialsError,
  RefreshOutcomeUnknownError,
  UnexpectedStatusError,
} from "../Errors.ts";
import type { TransportRequest, TransportResponse } from "../HttpTransport.ts";
import { credentialsOf } from "../MiroConfig.ts";
import { TokenResponse, type TokenSet, tokenSetFromResponse } from "../TokenSet.ts";
import { checkToken } from "../TokenText.ts";
import {
  type AttemptContext,
  type AttemptFailure,
  decodeSuccessBody,
  type FailureCause,
  finalStatus,
  isTransientStatus,
  transientStatusFailure,
} from "./AttemptFailure.ts";
import { type OperationServices, runOperation } from "./Attempts.ts";

/**
 * Attempts a refresh or code exchange may make.
 *
 * @category constants
 * @since 0.1.0
 */
export const TOKEN_ENDPOINT_MAX_ATTEMPTS = 2;

const decodeTokenResponse = Schema.decodeUnknownResult(TokenResponse);

const retryOn = (cause: FailureCause): boolean =>
  cause._tag === "Transport"
    ? cause.kind === "Network" || cause.kind === "Timeout"
    : cause._tag === "Status";

const grantRequest = (
  services: OperationServices,
  grant: GrantType,
  params: Readonly<Record<string, string>>,
): Effect.Effect<TokenSet, GrantError> => {
  const { config } = services;
  const credentials = credentialsOf(config);
  const operation = grant === "refresh_token" ? "refresh" : "exchangeCode";
  if (credentials === undefined) {
    return Effect.fail(new MissingCredentialsError({ attempts: 0, operation }));
  }
  const request: TransportRequest = {
    method: "POST",
    url: `${config.baseUrl}/v1/oauth/token`,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      "user-agent": config.userAgent,
    },
    body: new URLSearchParams({
      grant_type: grant,
      client_id: credentials.clientId,
      client_secret: Redacted.value(credentials.clientSecret),
      ...params,
    }).toString(),
    maxBodyBytes: config.maxBodyBytes,
  };
  const read = (
    response: TransportResponse,
    context: AttemptContext,
  ): Effect.Effect<TokenSet, AttemptFailure<GrantError>> => {
    const { status } = response;
    if (status === 200) {
      return Effect.map(decodeSuccessBody(request, response, decodeTokenResponse), (body) =>
        tokenSetFromResponse(body, context.receivedAt),
      );
    }
    if (isTransientStatus(status)) {
      return Effect.fail(transientStatusFailure(request, response, context, config));
    }
    const ambiguous = context.ambiguousBefore;
    return Effect.fail(
      finalStatus(request, response, (fields) => {
        if ((status === 400 || status === 401) && ambiguous !== undefined) {
          return new RefreshOutcomeUnknownError({
            ...fields,
            grant,
            ambiguousFailure: ambiguous.label,
          });
        }
        if (status === 400) return new InvalidGrantError({ ...fields, grant });
        if (status === 401) return new ClientAuthError(fields);
        return new UnexpectedStatusError(fields);
      }),
    );
  };
  return runOperation(services, {
    name: `TokenClient.${operation}`,
    request,
    maxAttempts: TOKEN_ENDPOINT_MAX_ATTEMPTS,
    attemptTimeout: Duration.toMillis(config.tokenAttemptTimeout),
    retryOn,
    read,
  });
};

/**
 * What a refresh needs: the refresh token; ids and scopes, when given, fill in what Miro's
 * refresh response leaves out (it may omit `user_id` and `scope`). A response without
 * `refresh_token` keeps the one presented (RFC 6749 section 6: the server issues a new one
 * only when it rotates), so the pair handed back can always be refreshed again.
 *
 * @category models
 * @since 0.1.0
 */
export type RefreshInput = Pick<TokenSet, "refreshToken"> &
  Partial<Pick<TokenSet, "teamId" | "userId" | "scopes" | "refreshTokenIssuedAt">>;

/**
 * Exchange a token set's refresh token for a new token set.
 *
 * @category operations
 * @since 0.1.0
 */
export const refreshTokenSet = (
  services: OperationServices,
  tokenSet: RefreshInput,
): Effect.Effect<TokenSet, GrantError> =>
  Effect.flatMap(checkToken("refresh token", tokenSet.refreshToken), (refreshToken) =>
    Effect.map(
      grantRequest(services, "refresh_token", { refresh_token: refreshToken }),
      (next) => ({
        ...next,
        // A kept refresh token keeps its age too (see RefreshTokenAge.ts).
        ...(next.refreshToken === undefined && tokenSet.refreshToken !== undefined
          ? {
              refreshToken: tokenSet.refreshToken,
              ...(tokenSet.refreshTokenIssuedAt === undefined
                ? {}
                : { refreshTokenIssuedAt: tokenSet.refreshTokenIssuedAt }),
            }
          : {}),
        ...(next.teamId === undefined && tokenSet.teamId !== undefined
          ? { teamId: tokenSet.teamId }
          : {}),
        ...(next.userId === undefined && tokenSet.userId !== undefined
          ? { userId: tokenSet.userId }
          : {}),
        ...(next.scopes.length === 0 && tokenSet.scopes !== undefined
          ? { scopes: tokenSet.scopes }
          : {}),
      }),
    ),
  );

/**
 * Exchange an authorization code (single use, valid 10 minutes) for a token set.
 *
 * @category operations
 * @since 0.1.0
 */
export const exchangeAuthorizationCode = (
  services: OperationServices,
  code: Redacted.Redacted<string>,
  redirectUri: string,
): Effect.Effect<TokenSet, GrantError> =>
  Effect.flatMap(checkToken("authorization code", code), (value) =>
    grantRequest(services, "authorization_code", {
      code: value,
      redirect_uri: redirectUri,
    }),
  );
