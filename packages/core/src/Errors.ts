/**
 * The typed failures of core's operations. Each is a `Schema.TaggedError` whose `_tag` is its
 * class name, and each carries:
 *
 * - `retryable`: whether trying again later could succeed (a transient condition);
 * - `status`: the HTTP status that decided the outcome, when there was one;
 * - `attempts`: how many HTTP attempts were made (0 when refused before sending).
 *
 * No field and no message ever holds a token, a secret, a URL query, a response body or a
 * `JSON.parse` message. Miro's error `code` is copied only when it is a known code.
 * Messages read `Tag: description (METHOD origin+path)`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { TransportError } from "./TransportError.ts";

const request = {
  /** HTTP method of the request that failed. */
  method: Schema.String,
  /** Origin and path of the request, never the query. */
  endpoint: Schema.String,
  /** HTTP attempts made. */
  attempts: Schema.Number,
};

const optionalRequest = {
  method: Schema.optionalKey(Schema.String),
  endpoint: Schema.optionalKey(Schema.String),
  attempts: Schema.Number,
};

const where = (e: { readonly method?: string; readonly endpoint?: string }): string =>
  e.method !== undefined && e.endpoint !== undefined ? ` (${e.method} ${e.endpoint})` : "";

const httpDetail = (e: { readonly status?: number; readonly code?: string }): string =>
  e.code === undefined ? `HTTP ${e.status}` : `HTTP ${e.status}, code ${e.code}`;

/**
 * Which grant a token-endpoint call used.
 *
 * @category models
 * @since 0.1.0
 */
export const GrantType = Schema.Literals(["refresh_token", "authorization_code"]);

/**
 * @category models
 * @since 0.1.0
 */
export type GrantType = typeof GrantType.Type;

/**
 * Miro says the access token is invalid, expired or revoked (token info 400/401).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidTokenError extends Schema.TaggedError<InvalidTokenError>()(
  "InvalidTokenError",
  {
    ...request,
    status: Schema.Number,
    /** Miro's code, e.g. `tokenInvalid`, `tokenExpired`, `tokenNotProvided`. */
    code: Schema.optionalKey(Schema.String),
  },
) {
  readonly retryable = false;
  override get message(): string {
    return `InvalidTokenError: the access token is invalid, expired or revoked (${httpDetail(this)})${where(this)}`;
  }
}

/**
 * A token, refresh token or code that cannot be sent as is (empty, whitespace, control or
 * non-ASCII characters), or is missing. Refused before any request; the value is never echoed.
 *
 * @category errors
 * @since 0.1.0
 */
export class MalformedTokenError extends Schema.TaggedError<MalformedTokenError>()(
  "MalformedTokenError",
  {
    ...optionalRequest,
    status: Schema.optionalKey(Schema.Number),
    /** What was malformed: `access token`, `refresh token` or `authorization code`. */
    subject: Schema.String,
    /** Why, as a fixed phrase. */
    reason: Schema.String,
  },
) {
  readonly retryable = false;
  override get message(): string {
    return `MalformedTokenError: the ${this.subject} ${this.reason}; refused before sending${where(this)}`;
  }
}

/**
 * Miro refused to revoke the token (v2 404, v1 400) on a first attempt.
 *
 * @category errors
 * @since 0.1.0
 */
export class RevokeRejectedError extends Schema.TaggedError<RevokeRejectedError>()(
  "RevokeRejectedError",
  { ...request, status: Schema.Number, code: Schema.optionalKey(Schema.String) },
) {
  readonly retryable = false;
  override get message(): string {
    return `RevokeRejectedError: Miro refused to revoke the token (${httpDetail(this)})${where(this)}`;
  }
}

/**
 * The deprecated v1 revoke endpoint is gone (404/410).
 *
 * @category errors
 * @since 0.1.0
 */
export class RevokeEndpointGoneError extends Schema.TaggedError<RevokeEndpointGoneError>()(
  "RevokeEndpointGoneError",
  { ...request, status: Schema.Number },
) {
  readonly retryable = false;
  override get message(): string {
    return `RevokeEndpointGoneError: Miro no longer serves the deprecated v1 revoke endpoint (HTTP ${this.status}); configure client credentials (clientId and clientSecret, or MIRO_CLIENT_ID and MIRO_CLIENT_SECRET) to use /v2/oauth/revoke${where(this)}`;
  }
}

/**
 * The refresh token or authorization code was rejected (token endpoint 400).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidGrantError extends Schema.TaggedError<InvalidGrantError>()(
  "InvalidGrantError",
  {
    ...request,
    status: Schema.Number,
    code: Schema.optionalKey(Schema.String),
    grant: GrantType,
  },
) {
  readonly retryable = false;
  override get message(): string {
    return `InvalidGrantError: Miro rejected the ${this.grant === "refresh_token" ? "refresh token" : "authorization code"}; re-authorize (${httpDetail(this)})${where(this)}`;
  }
}

/**
 * The client credentials were rejected (401), or the redirect URI did not match.
 *
 * @category errors
 * @since 0.1.0
 */
export class ClientAuthError extends Schema.TaggedError<ClientAuthError>()("ClientAuthError", {
  ...request,
  status: Schema.Number,
  code: Schema.optionalKey(Schema.String),
}) {
  readonly retryable = false;
  override get message(): string {
    return `ClientAuthError: Miro rejected the client credentials (${httpDetail(this)})${where(this)}`;
  }
}

/**
 * Rate limited (429) and out of attempts, deadline, or patience (the server asked for a longer
 * wait than `maxRetryAfter`).
 *
 * @category errors
 * @since 0.1.0
 */
export class RateLimitedError extends Schema.TaggedError<RateLimitedError>()("RateLimitedError", {
  ...request,
  status: Schema.Number,
  /** The server's requested wait in milliseconds (`Retry-After`), when given and readable. */
  retryAfter: Schema.optionalKey(Schema.Number),
  limit: Schema.optionalKey(Schema.Number),
  remaining: Schema.optionalKey(Schema.Number),
  /** Epoch milliseconds (`X-RateLimit-Reset`). */
  resetAt: Schema.optionalKey(Schema.Number),
}) {
  readonly retryable = true;
  override get message(): string {
    const wait =
      this.retryAfter === undefined ? "" : `, retry after ${Math.ceil(this.retryAfter / 1000)} s`;
    return `RateLimitedError: Miro rate limit reached (HTTP ${this.status}${wait})${where(this)}`;
  }
}

/**
 * Miro failed (5xx) or timed the request out (408), and retries did not help.
 *
 * @category errors
 * @since 0.1.0
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  ...request,
  status: Schema.Number,
}) {
  readonly retryable = true;
  override get message(): string {
    return `ServerError: Miro is unavailable (HTTP ${this.status})${where(this)}`;
  }
}

/**
 * A status the endpoint's contract does not define (e.g. 403 on token info).
 *
 * @category errors
 * @since 0.1.0
 */
export class UnexpectedStatusError extends Schema.TaggedError<UnexpectedStatusError>()(
  "UnexpectedStatusError",
  { ...request, status: Schema.Number, code: Schema.optionalKey(Schema.String) },
) {
  readonly retryable = false;
  override get message(): string {
    return `UnexpectedStatusError: unexpected response (${httpDetail(this)})${where(this)}`;
  }
}

/**
 * A success status whose body is not what Miro documents (not JSON, empty, wrong shape).
 * The reason is a fixed phrase: never body text, never a `JSON.parse` message.
 *
 * @category errors
 * @since 0.1.0
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>()(
  "ResponseDecodeError",
  { ...request, status: Schema.Number, reason: Schema.String },
) {
  readonly retryable = false;
  override get message(): string {
    return `ResponseDecodeError: the response body could not be read: ${this.reason} (HTTP ${this.status})${where(this)}`;
  }
}

/**
 * A refresh or code exchange whose first attempt may have been processed (connection reset,
 * timeout or 5xx after sending) and whose single retry was rejected as an invalid grant:
 * Miro may have rotated the token and the response was lost. Re-read the token store (another
 * process may hold the new pair); if it has nothing newer, the user must re-authorize.
 *
 * @category errors
 * @since 0.1.0
 */
export class RefreshOutcomeUnknownError extends Schema.TaggedError<RefreshOutcomeUnknownError>()(
  "RefreshOutcomeUnknownError",
  {
    ...request,
    status: Schema.optionalKey(Schema.Number),
    grant: GrantType,
    /** What made the first attempt ambiguous, e.g. `TransportError(Network)` or `HTTP 502`. */
    ambiguousFailure: Schema.String,
  },
) {
  readonly retryable = false;
  override get message(): string {
    return `RefreshOutcomeUnknownError: the ${this.grant === "refresh_token" ? "refresh" : "code exchange"} may have succeeded (${this.ambiguousFailure}) but its response was lost, and the retry was rejected; re-read the token store or re-authorize${where(this)}`;
  }
}

/**
 * An operation needs OAuth client credentials that are not configured.
 *
 * @category errors
 * @since 0.1.0
 */
export class MissingCredentialsError extends Schema.TaggedError<MissingCredentialsError>()(
  "MissingCredentialsError",
  { ...optionalRequest, status: Schema.optionalKey(Schema.Number), operation: Schema.String },
) {
  readonly retryable = false;
  override get message(): string {
    return `MissingCredentialsError: ${this.operation} needs client credentials; set clientId and clientSecret (or MIRO_CLIENT_ID and MIRO_CLIENT_SECRET)${where(this)}`;
  }
}

/**
 * A token store failed to read or persist (used by store implementations).
 *
 * @category errors
 * @since 0.1.0
 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  ...optionalRequest,
  status: Schema.optionalKey(Schema.Number),
  /** e.g. `get`, `compareAndSet`, `lock`. */
  operation: Schema.String,
  /** A short description free of secrets, e.g. `EACCES`. */
  reason: Schema.String,
}) {
  readonly retryable = false;
  override get message(): string {
    return `StoreError: ${this.operation} failed: ${this.reason}`;
  }
}

/**
 * Every failure core's operations can produce.
 *
 * @category errors
 * @since 0.1.0
 */
export type MiroTokenError =
  | InvalidTokenError
  | MalformedTokenError
  | RevokeRejectedError
  | RevokeEndpointGoneError
  | InvalidGrantError
  | ClientAuthError
  | RateLimitedError
  | ServerError
  | UnexpectedStatusError
  | ResponseDecodeError
  | RefreshOutcomeUnknownError
  | MissingCredentialsError
  | StoreError
  | TransportError;

/**
 * Every error class, for guards and exhaustive tables.
 *
 * @category errors
 * @since 0.1.0
 */
export const MIRO_TOKEN_ERROR_CLASSES = [
  InvalidTokenError,
  MalformedTokenError,
  RevokeRejectedError,
  RevokeEndpointGoneError,
  InvalidGrantError,
  ClientAuthError,
  RateLimitedError,
  ServerError,
  UnexpectedStatusError,
  ResponseDecodeError,
  RefreshOutcomeUnknownError,
  MissingCredentialsError,
  StoreError,
  TransportError,
] as const;

/**
 * Whether a value is one of core's typed errors.
 *
 * @category guards
 * @since 0.1.0
 */
export const isMiroTokenError = (u: unknown): u is MiroTokenError =>
  MIRO_TOKEN_ERROR_CLASSES.some((cls) => u instanceof cls);

/**
 * Whether trying again later could succeed.
 *
 * @category guards
 * @since 0.1.0
 */
export const isRetryable = (error: MiroTokenError): boolean => error.retryable;
