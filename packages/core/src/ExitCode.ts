/**
 * The CLI's exit codes, and the one table that maps each error tag to its code, so every face
 * of the toolkit (CLI, watcher, scripts) agrees on what a failure means.
 *
 * @since 0.1.0
 */
import type { MiroTokenError } from "./Errors.ts";

/**
 * The documented exit codes.
 *
 * @category constants
 * @since 0.1.0
 */
export const ExitCode = {
  /** Success; the token is active. */
  Ok: 0,
  /** An unexpected failure (a bug, an undocumented response). */
  Unexpected: 1,
  /** Bad usage or input (a malformed token, missing credentials). */
  Usage: 2,
  /** The token is invalid, revoked or expired. */
  TokenInvalid: 3,
  /** Miro rejected the request: revoke, grant or client authentication. */
  Rejected: 4,
  /** Miro unavailable after retries: network, 5xx, 429. */
  Unavailable: 5,
  /** Interrupted (SIGINT) or aborted. */
  Interrupted: 130,
} as const;

/**
 * @category models
 * @since 0.1.0
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every error tag and its exit code.
 *
 * @category constants
 * @since 0.1.0
 */
export const EXIT_CODE_BY_TAG: { readonly [Tag in MiroTokenError["_tag"]]: ExitCode } = {
  InvalidTokenError: ExitCode.TokenInvalid,
  MalformedTokenError: ExitCode.Usage,
  MissingCredentialsError: ExitCode.Usage,
  InsecureBaseUrlError: ExitCode.Usage,
  RevokeRejectedError: ExitCode.Rejected,
  RevokeEndpointGoneError: ExitCode.Rejected,
  InvalidGrantError: ExitCode.Rejected,
  ClientAuthError: ExitCode.Rejected,
  RefreshOutcomeUnknownError: ExitCode.Rejected,
  ReauthorizeRequiredError: ExitCode.Rejected,
  RateLimitedError: ExitCode.Unavailable,
  ServerError: ExitCode.Unavailable,
  TransportError: ExitCode.Unavailable,
  UnexpectedStatusError: ExitCode.Unexpected,
  ResponseDecodeError: ExitCode.Unexpected,
  StoreError: ExitCode.Unexpected,
};

/**
 * The exit code for an error: the table's code, except that an aborted transport exits 130
 * and an oversized response body counts as unexpected.
 *
 * @category constructors
 * @since 0.1.0
 */
export const exitCodeOf = (error: MiroTokenError): ExitCode => {
  if (error._tag === "TransportError") {
    if (error.kind === "Aborted") return ExitCode.Interrupted;
    if (error.kind === "BodyTooLarge") return ExitCode.Unexpected;
  }
  return EXIT_CODE_BY_TAG[error._tag];
};
