/**
 * The `StoreError` failure. A token store failed to read or persist.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import { MiroTokenErrorTypeId } from "./ErrorBrand.ts";
import { optionalRequest } from "./ErrorFields.ts";

/**
 * A token store failed to read or persist (used by store implementations).
 *
 * @category errors
 * @since 0.1.0
 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  ...optionalRequest,
  status: Schema.optionalKey(Schema.Number),
  /** e.g. `get`, `compareAndSet`, `lock`. */
  operation: Schema.String,
  /** A short description free of secrets, e.g. `EACCES`. */
  reason: Schema.String,
  /**
   * `Unavailable`: the store could not be reached (a database down or restarting), so the
   * tokens are not at fault; a status shows it beside the tag (`StoreError Unavailable`).
   * Absent for every other failure.
   */
  kind: Schema.optionalKey(Schema.Literal("Unavailable")),
}) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  readonly retryable = false;
  override get message(): string {
    return `StoreError: ${this.operation} failed: ${this.reason}`;
  }
}
