/**
 * The `RevokeRejectedError` failure. Miro refused to revoke the token (v2 404, v1 400) on a first attempt.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { httpDetail, request, where } from "./ErrorFields.ts";

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
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    const v1 = this.endpoint?.endsWith("/v1/oauth/revoke") === true;
    const hint = v1 ? "; configure client credentials to revoke through /v2/oauth/revoke" : "";
    return `RevokeRejectedError: Miro refused to revoke the token (${httpDetail(this)})${hint}${where(this)}`;
  }
}
