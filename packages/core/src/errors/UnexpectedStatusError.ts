/**
 * The `UnexpectedStatusError` failure. A status the endpoint's contract does not define.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { httpDetail, request, where } from "./ErrorFields.ts";

/**
 * A status the endpoint's contract does not define (e.g. 403 on token info).
 *
 * @category errors
 * @since 0.1.0
 */
export class UnexpectedStatusError extends Schema.TaggedError<UnexpectedStatusError>()(
  "UnexpectedStatusError",
  { ...request, status: Schema.Number, code: Schema.optionalKey(Schema.String) },
) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `UnexpectedStatusError: unexpected response (${httpDetail(this)})${where(this)}`;
  }
}
