/**
 * The `RateLimitedError` failure. Rate limited (429) beyond what retrying may wait for.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { request, where } from "./ErrorFields.ts";

/**
 * Rate limited (429) and out of attempts, deadline, or patience (the server asked for a longer
 * wait than `maxRetryAfter`).
 *
 * @category errors
 * @since 0.1.0
 */
export class RateLimitedError extends Schema.TaggedError<RateLimitedError>()("RateLimitedError", {
  ...request,
  status: Schema.Number,
  /** The server's requested wait in milliseconds (`Retry-After`), when given and readable. */
  retryAfter: Schema.optionalKey(Schema.Number),
  limit: Schema.optionalKey(Schema.Number),
  remaining: Schema.optionalKey(Schema.Number),
  /** Epoch milliseconds (`X-RateLimit-Reset`). */
  resetAt: Schema.optionalKey(Schema.Number),
}) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = true;
  override get message(): string {
    const wait =
      this.retryAfter === undefined ? "" : `, retry after ${Math.ceil(this.retryAfter / 1000)} s`;
    return `RateLimitedError: Miro rate limit reached (HTTP ${this.status}${wait})${where(this)}`;
  }
}
