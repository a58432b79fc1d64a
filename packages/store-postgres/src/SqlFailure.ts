/**
 * The one place a driver failure becomes a `StoreError`. The reason names the failure class
 * and, for a server-side error, its SQLSTATE and message; every occurrence of the connection
 * password is cut out first, and the driver's `cause` (which may carry connection settings) is
 * dropped. Nothing from the URL but host, port, user and database can reach a reason.
 *
 * @since 0.1.0
 */
import { StoreError } from "@miro-token/core";
import { Effect, Redacted } from "effect";
import type { SqlError } from "effect/sql/SqlError";

/**
 * A function that removes known secrets from text shown to users.
 *
 * @category models
 * @since 0.1.0
 */
export type Scrub = (text: string) => string;

/**
 * Build a {@link Scrub} that replaces each non-empty secret (and its URL-encoded form) with
 * `***`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scrubberOf = (
  secrets: ReadonlyArray<Redacted.Redacted<string> | undefined>,
): Scrub => {
  const plain = secrets
    .flatMap((secret) => (secret === undefined ? [] : [Redacted.value(secret)]))
    .flatMap((value) => [value, encodeURIComponent(value)])
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);
  return (text) => plain.reduce((acc, value) => acc.split(value).join("***"), text);
};

const serverFields = (error: SqlError): string => {
  const cause: unknown = error.reason.cause;
  if (typeof cause !== "object" || cause === null) return "";
  const { code, message } = cause as { code?: unknown; message?: unknown };
  const parts = [
    typeof code === "string" ? code : undefined,
    typeof message === "string" ? message : undefined,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? "" : ` (${parts.join(" ")})`;
};

/**
 * The `StoreError` for a failed database call in `operation`.
 *
 * @category errors
 * @since 0.1.0
 */
export const storeErrorOf = (operation: string, scrub: Scrub, error: SqlError): StoreError =>
  new StoreError({
    attempts: 0,
    operation,
    reason: scrub(`${error.reason._tag}${serverFields(error)}`).slice(0, 300),
  });

/**
 * Turn the `SqlError` of `effect` into a `StoreError` for `operation`.
 *
 * @category errors
 * @since 0.1.0
 */
export const orStoreError =
  (operation: string, scrub: Scrub) =>
  <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, StoreError, R> =>
    Effect.mapError(effect, (error) => storeErrorOf(operation, scrub, error));
