/**
 * The `InvalidGrantError` failure. The refresh token or authorization code was rejected (token endpoint 400).
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { GrantType, httpDetail, request, where } from "./ErrorFields.ts";

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
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `InvalidGrantError: Miro rejected the ${this.grant === "refresh_token" ? "refresh token" : "authorization code"}; re-authorize (${httpDetail(this)})${where(this)}`;
  }
}
