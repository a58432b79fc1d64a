/**
 * The `MissingCredentialsError` failure. An operation needs client credentials that are not configured.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { optionalRequest, where } from "./ErrorFields.ts";

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
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `MissingCredentialsError: ${this.operation} needs client credentials; set clientId and clientSecret (or MIRO_CLIENT_ID and MIRO_CLIENT_SECRET)${where(this)}`;
  }
}
