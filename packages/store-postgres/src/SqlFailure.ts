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
export const storeErrorOf = (operation: string, scrub: Scrub, error: SqlError): StoreError => {
  const detail = `${error.reason._tag}${serverFields(error)}`;
  const unavailable = isUnavailable(error);
  return new StoreError({
    attempts: 0,
    operation,
    reason: scrub(unavailable ? `${UNAVAILABLE}${detail}` : detail).slice(0, 300),
    ...(unavailable ? { kind: "Unavailable" as const } : {}),
  });
};

/**
 * How the reason of a `StoreError` starts when the database could not be reached or went away
 * (refused, reset, shutting down, starting up): the store is unavailable, the tokens are not
 * at fault. Such an error also has `kind: "Unavailable"`, so a watcher reports its tokens
 * `Unreachable` with the cause `StoreError Unavailable`.
 *
 * @category constants
 * @since 0.3.0
 */
export const UNAVAILABLE = "unavailable: the database cannot be reached: ";

/** SQLSTATEs of a server going away or not there yet: class 08, and 57P01-57P03. */
const UNAVAILABLE_CODES = /^(08...|57P0[123])$/;

/**
 * Whether a driver failure means the database is unavailable rather than refusing the call.
 *
 * @category errors
 * @since 0.3.0
 */
export const isUnavailable = (error: SqlError): boolean => {
  if (error.reason._tag === "ConnectionError") return true;
  const cause: unknown = error.reason.cause;
  const code =
    typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === "string" && UNAVAILABLE_CODES.test(code);
};

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
