/**
 * The `RevokeEndpointGoneError` failure. The deprecated v1 revoke endpoint is gone (404/410); use v2.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { request, where } from "./ErrorFields.ts";

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
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `RevokeEndpointGoneError: Miro no longer serves the deprecated v1 revoke endpoint (HTTP ${this.status}); configure client credentials (clientId and clientSecret, or MIRO_CLIENT_ID and MIRO_CLIENT_SECRET) to use /v2/oauth/revoke${where(this)}`;
  }
}
