/**
 * The `ResponseDecodeError` failure. A success status with a body that is not what Miro documents.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { request, where } from "./ErrorFields.ts";

/**
 * A success status whose body is not what Miro documents (not JSON, empty, wrong shape).
 * The reason is a fixed phrase: never body text, never a `JSON.parse` message.
 *
 * @category errors
 * @since 0.1.0
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>()(
  "ResponseDecodeError",
  { ...request, status: Schema.Number, reason: Schema.String },
) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `ResponseDecodeError: the response body could not be read: ${this.reason} (HTTP ${this.status})${where(this)}`;
  }
}
