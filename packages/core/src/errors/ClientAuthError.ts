/**
 * The `ClientAuthError` failure. The OAuth client credentials were rejected (401).
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { httpDetail, request, where } from "./ErrorFields.ts";

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
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    // Miro documents one token-endpoint failure, 401 `oauthError`: it may mean the grant too.
    const grant = this.endpoint?.endsWith("/v1/oauth/token") === true;
    const what = grant
      ? "the client credentials or the grant (re-authorize)"
      : "the client credentials";
    return `ClientAuthError: Miro rejected ${what} (${httpDetail(this)})${where(this)}`;
  }
}
