/**
 * The `InsecureBaseUrlError` failure. Core refuses to send anything to a base URL that breaks
 * the rule of `BaseUrl.ts` (plain `http:` to a non-loopback host without `allowInsecureHttp`,
 * credentials in the URL, a query): the check runs before any DNS lookup or connection.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";

/**
 * The configured base URL was refused before any request; `reason` never quotes the URL.
 *
 * @category errors
 * @since 0.1.0
 */
export class InsecureBaseUrlError extends Schema.TaggedError<InsecureBaseUrlError>()(
  "InsecureBaseUrlError",
  {
    /** HTTP attempts made: always 0. */
    attempts: Schema.Number,
    /** Never set: no request was made (every core error has the field). */
    status: Schema.optionalKey(Schema.Number),
    /** What is wrong (`insecure-http`, `credentials`, `query`, `scheme`, `unreadable`). */
    kind: Schema.String,
    /** A sentence that never quotes the URL. */
    reason: Schema.String,
  },
) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `InsecureBaseUrlError: the base URL ${this.reason}`;
  }
}
