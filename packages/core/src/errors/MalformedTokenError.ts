/**
 * The `MalformedTokenError` failure. A token, refresh token or code that cannot be sent as is; refused before any request.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { optionalRequest, where } from "./ErrorFields.ts";

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
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `MalformedTokenError: the ${this.subject} ${this.reason}; refused before sending${where(this)}`;
  }
}
