/**
 * Revoking an access token (which also revokes its refresh token).
 *
 * - With client credentials: `POST /v2/oauth/revoke`, JSON body `{accessToken, clientId,
 *   clientSecret}`. 204 → revoked (only 204: a 200 with a page from a proxy is not a revoke,
 *   it is an {@link UnexpectedStatusError}); 404 → {@link RevokeRejectedError}; 401 →
 *   {@link ClientAuthError}.
 * - Without: {@link MissingCredentialsError}, unless the caller opted in with `allowV1Revoke`.
 *   Then the deprecated `POST /v1/oauth/revoke?access_token=…`, in its only documented form:
 *   the token in the URL query (Miro reads it nowhere else, so a body or header would fail
 *   silently). Our errors and logs name only origin and path, never the query. The result is
 *   flagged `deprecated`. 204 → revoked; 400 ("Failed to revoke token", which Miro also answers
 *   for a token it did not read) → revoked only once token info confirms the token is dead,
 *   else {@link RevokeRejectedError}, whose message says to configure client credentials;
 *   404/410 → {@link RevokeEndpointGoneError} (configure credentials to use v2).
 *
 * Retries: at most 3 attempts, only after network failures, timeouts, 429, 502, 503, 504.
 * Revoking is idempotent in effect, so when an earlier attempt may have been processed (reset,
 * timeout, 502, 504) a later "not found / failed to revoke" answer means the token is gone:
 * success, with `alreadyRevoked: true`.
 *
 * @since 0.1.0
 */
import { Effect, Redacted } from "effect";
import {
  ClientAuthError,
  MissingCredentialsError,
  RevokeEndpointGoneError,
  type RevokeError,
  RevokeRejectedError,
  UnexpectedStatusError,
} from "../Errors.ts";
import type { TransportRequest, TransportResponse } from "../HttpTransport.ts";
import { credentialsOf, type MiroConfigShape } from "../MiroConfig.ts";
import { parseRateLimit, type RateLimit } from "../RateLimit.ts";
import { checkToken } from "../TokenText.ts";
import {
  type AttemptContext,
  type AttemptFailure,
  type FailureCause,
  finalStatus,
  isTransientStatus,
  transientStatusFailure,
} from "./AttemptFailure.ts";
import { type OperationServices, runOperation } from "./Attempts.ts";
import { tokenInfo } from "./TokenInfoOperation.ts";

/**
 * Attempts a revoke may make.
 *
 * @category constants
 * @since 0.1.0
 */
export const REVOKE_MAX_ATTEMPTS = 3;

/**
 * How a revoke went.
 *
 * @category models
 * @since 0.1.0
 */
export interface RevokeResult {
  /** Which endpoint answered. */
  readonly endpoint: "v1" | "v2";
  /** True for v1: Miro has deprecated it; configure client credentials to use v2. */
  readonly deprecated: boolean;
  /**
   * True when an earlier attempt may have revoked the token and a retry was then told the
   * token was unknown.
   */
  readonly alreadyRevoked: boolean;
  readonly rateLimit: RateLimit | undefined;
}

/**
 * The result of a revoke that Miro refused but token info then showed dead: the token is
 * revoked, by this call or an earlier one (core's v1 check, and the CLI's `store revoke` on v2).
 *
 * @category constructors
 * @since 0.3.0
 */
export const alreadyRevokedResult = (endpoint: RevokeResult["endpoint"]): RevokeResult => ({
  endpoint,
  deprecated: endpoint === "v1",
  alreadyRevoked: true,
  rateLimit: undefined,
});

const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const retryOn = (cause: FailureCause): boolean =>
  cause._tag === "Transport"
    ? cause.kind === "Network" || cause.kind === "Timeout"
    : cause._tag === "Status" && RETRY_STATUSES.has(cause.status);

const v2Request = (
  config: MiroConfigShape,
  token: string,
  credentials: NonNullable<ReturnType<typeof credentialsOf>>,
): TransportRequest => ({
  method: "POST",
  url: `${config.baseUrl}/v2/oauth/revoke`,
  headers: {
    "content-type": "application/json",
    accept: "application/json",
    "user-agent": config.userAgent,
  },
  body: JSON.stringify({
    accessToken: token,
    clientId: credentials.clientId,
    clientSecret: Redacted.value(credentials.clientSecret),
  }),
  maxBodyBytes: config.maxBodyBytes,
});

/** The documented v1 form: the token in the query, no body (only with `allowV1Revoke`). */
const v1Request = (config: MiroConfigShape, token: string): TransportRequest => ({
  method: "POST",
  url: `${config.baseUrl}/v1/oauth/revoke?${new URLSearchParams({ access_token: token })}`,
  headers: { accept: "application/json", "user-agent": config.userAgent },
  maxBodyBytes: config.maxBodyBytes,
});

/**
 * A v1 400 proves nothing by itself (Miro answers it for any token it could not revoke): the
 * token counts as revoked only when token info now rejects it.
 */
const confirmV1Rejection = (
  services: OperationServices,
  token: Redacted.Redacted<string>,
  rejected: RevokeRejectedError,
): Effect.Effect<RevokeResult, RevokeError> =>
  Effect.matchEffect(tokenInfo(services, token), {
    onSuccess: () => Effect.fail(rejected),
    onFailure: (error) =>
      error._tag === "InvalidTokenError"
        ? Effect.succeed(alreadyRevokedResult("v1"))
        : Effect.fail(rejected),
  });

/**
 * Revoke an access token, through v2 when client credentials are configured, else v1.
 *
 * @category operations
 * @since 0.1.0
 */
export const revokeToken = (
  services: OperationServices,
  token: Redacted.Redacted<string>,
): Effect.Effect<RevokeResult, RevokeError> =>
  Effect.flatMap(checkToken("access token", token), (value) => {
    const { config } = services;
    const credentials = credentialsOf(config);
    if (credentials === undefined && !config.allowV1Revoke) {
      return Effect.fail(new MissingCredentialsError({ attempts: 0, operation: "revoke" }));
    }
    const endpoint = credentials === undefined ? "v1" : "v2";
    const request =
      credentials === undefined ? v1Request(config, value) : v2Request(config, value, credentials);
    /** The status that means "no such token": v2 404, v1 400 (to be confirmed). */
    const rejectedStatus = endpoint === "v2" ? 404 : 400;

    const read = (
      response: TransportResponse,
      context: AttemptContext,
    ): Effect.Effect<RevokeResult, AttemptFailure<RevokeError>> => {
      const { status } = response;
      const result = (alreadyRevoked: boolean): RevokeResult => ({
        endpoint,
        deprecated: endpoint === "v1",
        alreadyRevoked,
        rateLimit: parseRateLimit(response.headers),
      });
      if (status === 204) return Effect.succeed(result(false));
      if (endpoint === "v2" && status === 404 && context.ambiguousBefore !== undefined) {
        return Effect.succeed(result(true));
      }
      if (isTransientStatus(status)) {
        return Effect.fail(transientStatusFailure(request, response, context, config));
      }
      return Effect.fail(
        finalStatus(request, response, (fields) => {
          if (status === rejectedStatus) return new RevokeRejectedError(fields);
          if (endpoint === "v1" && (status === 404 || status === 410)) {
            return new RevokeEndpointGoneError(fields);
          }
          if (endpoint === "v2" && status === 401) return new ClientAuthError(fields);
          return new UnexpectedStatusError(fields);
        }),
      );
    };
    const revoked = runOperation(services, {
      name: "TokenClient.revoke",
      request,
      maxAttempts: REVOKE_MAX_ATTEMPTS,
      retryOn,
      read,
    });
    return endpoint === "v2"
      ? revoked
      : Effect.catchTag(revoked, "RevokeRejectedError", (rejected) =>
          confirmV1Rejection(services, token, rejected),
        );
  });
