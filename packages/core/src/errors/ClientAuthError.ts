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
    return `ClientAuthError: Miro rejected the client credentials (${httpDetail(this)})${where(this)}`;
  }
}
