/**
 * The token's grant is dead, or its fate is unknown: a human must authorize the app again.
 * Raised by the refresh protocol when Miro rejects the refresh token (`InvalidGrantError`),
 * when a refresh's outcome is unknown (`RefreshOutcomeUnknownError`: Miro may have rotated the
 * token and the answer was lost), or when there is nothing to refresh with. It is final: the
 * refresher never presents that refresh token again, so no caller loops on it.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";

/**
 * @category errors
 * @since 0.1.0
 */
export class ReauthorizeRequiredError extends Schema.TaggedError<ReauthorizeRequiredError>()(
  "ReauthorizeRequiredError",
  {
    /** The token's id in the store (never the token). */
    id: Schema.String,
    /**
     * Why, e.g. `InvalidGrantError (invalidGrant)`, `no refresh token`, or
     * `refresh outcome lost` (Miro may have rotated and the new pair never reached the store).
     */
    reason: Schema.String,
    /** The HTTP status that decided it, when there was one. */
    status: Schema.optionalKey(Schema.Number),
    /** Requests this error made itself: none (the failing request's error counted its own). */
    attempts: Schema.Number.pipe(Schema.withConstructorDefault(Effect.succeed(0))),
  },
) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `ReauthorizeRequiredError: token ${this.id} must be authorized again: ${this.reason}`;
  }
}
