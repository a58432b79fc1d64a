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

import { ClientAuthError } from "./errors/ClientAuthError.ts";
import { InvalidGrantError } from "./errors/InvalidGrantError.ts";
import { InvalidTokenError } from "./errors/InvalidTokenError.ts";
import { MalformedTokenError } from "./errors/MalformedTokenError.ts";
import { MissingCredentialsError } from "./errors/MissingCredentialsError.ts";
import { RateLimitedError } from "./errors/RateLimitedError.ts";
import { ReauthorizeRequiredError } from "./errors/ReauthorizeRequiredError.ts";
import { RefreshOutcomeUnknownError } from "./errors/RefreshOutcomeUnknownError.ts";
import { ResponseDecodeError } from "./errors/ResponseDecodeError.ts";
import { RevokeEndpointGoneError } from "./errors/RevokeEndpointGoneError.ts";
import { RevokeRejectedError } from "./errors/RevokeRejectedError.ts";
import { ServerError } from "./errors/ServerError.ts";
import { StoreError } from "./errors/StoreError.ts";
import { UnexpectedStatusError } from "./errors/UnexpectedStatusError.ts";
import { TransportError } from "./TransportError.ts";

export { ClientAuthError } from "./errors/ClientAuthError.ts";
export { GrantType } from "./errors/ErrorFields.ts";
export { InvalidGrantError } from "./errors/InvalidGrantError.ts";
export { InvalidTokenError } from "./errors/InvalidTokenError.ts";
export { MalformedTokenError } from "./errors/MalformedTokenError.ts";
export { MissingCredentialsError } from "./errors/MissingCredentialsError.ts";
export { RateLimitedError } from "./errors/RateLimitedError.ts";
export { ReauthorizeRequiredError } from "./errors/ReauthorizeRequiredError.ts";
export { RefreshOutcomeUnknownError } from "./errors/RefreshOutcomeUnknownError.ts";
export { ResponseDecodeError } from "./errors/ResponseDecodeError.ts";
export { RevokeEndpointGoneError } from "./errors/RevokeEndpointGoneError.ts";
export { RevokeRejectedError } from "./errors/RevokeRejectedError.ts";
export { ServerError } from "./errors/ServerError.ts";
export { StoreError } from "./errors/StoreError.ts";
export { UnexpectedStatusError } from "./errors/UnexpectedStatusError.ts";

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
  | ReauthorizeRequiredError
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
  ReauthorizeRequiredError,
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
