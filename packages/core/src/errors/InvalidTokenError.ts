/**
 * The `InvalidTokenError` failure. Miro says the access token is invalid, expired or revoked (token info 400/401).
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { httpDetail, request, where } from "./ErrorFields.ts";

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
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `InvalidTokenError: the access token is invalid, expired or revoked (${httpDetail(this)})${where(this)}`;
  }
}
