/**
 * The `ServerError` failure. Miro failed (5xx) or timed out (408), and retries did not help.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { request, where } from "./ErrorFields.ts";

/**
 * Miro failed (5xx) or timed the request out (408), and retries did not help.
 *
 * @category errors
 * @since 0.1.0
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  ...request,
  status: Schema.Number,
}) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = true;
  override get message(): string {
    return `ServerError: Miro is unavailable (HTTP ${this.status})${where(this)}`;
  }
}
