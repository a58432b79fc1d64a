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

import { Predicate } from "effect";
import { ClientAuthError } from "./errors/ClientAuthError.ts";
import { MiroTokenErrorTypeId } from "./errors/ErrorBrand.ts";
import { InsecureBaseUrlError } from "./errors/InsecureBaseUrlError.ts";
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
export { MiroTokenErrorTypeId } from "./errors/ErrorBrand.ts";
export { GrantType } from "./errors/ErrorFields.ts";
export { InsecureBaseUrlError } from "./errors/InsecureBaseUrlError.ts";
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
  | InsecureBaseUrlError
  | StoreError
  | TransportError;

/**
 * What any operation that sends a request can raise: a refused token, no usable response,
 * a transient status beyond the retries, a status or body it does not understand.
 *
 * @category errors
 * @since 0.1.0
 */
export type RequestError =
  | InsecureBaseUrlError
  | MalformedTokenError
  | TransportError
  | RateLimitedError
  | ServerError
  | UnexpectedStatusError
  | ResponseDecodeError;

/**
 * What `TokenClient.info` can raise.
 *
 * @category errors
 * @since 0.1.0
 */
export type TokenInfoError = RequestError | InvalidTokenError;

/**
 * What `TokenClient.revoke` can raise.
 *
 * @category errors
 * @since 0.1.0
 */
export type RevokeError =
  | RequestError
  | MissingCredentialsError
  | RevokeRejectedError
  | RevokeEndpointGoneError
  | ClientAuthError;

/**
 * What `TokenClient.refresh` and `TokenClient.exchangeCode` (the token endpoint) can raise.
 *
 * @category errors
 * @since 0.1.0
 */
export type GrantError =
  | RequestError
  | MissingCredentialsError
  | InvalidGrantError
  | RefreshOutcomeUnknownError
  | ClientAuthError;

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
  InsecureBaseUrlError,
  StoreError,
  TransportError,
] as const;

/**
 * Every error tag. Typed by `MiroTokenError["_tag"]`, so a misspelt tag fails to compile; a
 * set of tags elsewhere should be typed the same way.
 *
 * @category errors
 * @since 0.1.0
 */
export type MiroTokenErrorTag = MiroTokenError["_tag"];

/**
 * Every error tag, read from the classes' schemas.
 *
 * @category errors
 * @since 0.1.0
 */
export const MIRO_TOKEN_ERROR_TAGS: ReadonlySet<MiroTokenErrorTag> = new Set(
  MIRO_TOKEN_ERROR_CLASSES.map((cls): MiroTokenErrorTag => cls.fields._tag.schema.literal),
);

/**
 * Whether a value is one of core's typed errors: it carries core's brand
 * ({@link MiroTokenErrorTypeId}) and a known tag. The brand, not `instanceof`, decides, so an
 * error made by another copy of core (its `src` and its `dist`, or two installed versions) is
 * recognised, and a look-alike with the right `_tag` but no brand is not.
 *
 * @category guards
 * @since 0.1.0
 */
export const isMiroTokenError = (u: unknown): u is MiroTokenError =>
  Predicate.hasProperty(u, MiroTokenErrorTypeId) &&
  u[MiroTokenErrorTypeId] === MiroTokenErrorTypeId &&
  Predicate.hasProperty(u, "_tag") &&
  typeof u._tag === "string" &&
  (MIRO_TOKEN_ERROR_TAGS as ReadonlySet<string>).has(u._tag);

/**
 * Whether trying again later could succeed.
 *
 * @category guards
 * @since 0.1.0
 */
export const isRetryable = (error: MiroTokenError): boolean => error.retryable;
