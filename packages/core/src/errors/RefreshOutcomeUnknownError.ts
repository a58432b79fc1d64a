/**
 * The `RefreshOutcomeUnknownError` failure. A grant that may have been used although its response was lost.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { GrantType, request, where } from "./ErrorFields.ts";

/**
 * A refresh or code exchange whose first attempt may have been processed (connection reset,
 * timeout or 5xx after sending) and whose single retry was rejected as an invalid grant:
 * Miro may have rotated the token and the response was lost. Re-read the token store (another
 * process may hold the new pair); if it has nothing newer, the user must re-authorize.
 *
 * @category errors
 * @since 0.1.0
 */
export class RefreshOutcomeUnknownError extends Schema.TaggedError<RefreshOutcomeUnknownError>()(
  "RefreshOutcomeUnknownError",
  {
    ...request,
    status: Schema.optionalKey(Schema.Number),
    grant: GrantType,
    /** What made the first attempt ambiguous, e.g. `TransportError(Network)` or `HTTP 502`. */
    ambiguousFailure: Schema.String,
  },
) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `RefreshOutcomeUnknownError: the ${this.grant === "refresh_token" ? "refresh" : "code exchange"} may have succeeded (${this.ambiguousFailure}) but its response was lost, and the retry was rejected; re-read the token store or re-authorize${where(this)}`;
  }
}
