/**
 * Turns whatever an HTTP client threw into core's {@link TransportError}, keeping only a short
 * code (`ECONNRESET`, `UND_ERR_SOCKET`, `ECONNREFUSED`). Client errors carry secrets in their
 * messages and properties (ky's `NetworkError` message holds the full URL with its query,
 * `util.inspect` of a ky error shows the request's `Authorization` header), so the error is
 * read for its code and dropped: it is never kept as a cause.
 *
 * @since 0.1.0
 */
import type { TransportRequest } from "../HttpTransport.ts";
import { endpointOf, TransportError, type TransportErrorKind } from "../TransportError.ts";

/** A Node or undici error code: upper case, digits and underscores, nothing else. */
const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/** An error class name such as `TypeError`. */
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const MAX_DEPTH = 8;

const fieldOf = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** The error, its `cause` chain and an `AggregateError`'s members, breadth first. */
const chainOf = (error: unknown): ReadonlyArray<unknown> => {
  const seen: Array<unknown> = [];
  const queue: Array<unknown> = [error];
  while (queue.length > 0 && seen.length < MAX_DEPTH) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.includes(current)) continue;
    seen.push(current);
    queue.push(fieldOf(current, "cause"));
    const members = fieldOf(current, "errors");
    if (Array.isArray(members)) queue.push(...members.slice(0, MAX_DEPTH));
  }
  return seen;
};

/**
 * The first error code found in the error, its cause chain or its aggregated errors, if it
 * has the shape of a code (so a message can never pass for one).
 *
 * @category classification
 * @since 0.1.0
 */
export const codeOf = (error: unknown): string | undefined => {
  for (const link of chainOf(error)) {
    const code = fieldOf(link, "code");
    if (typeof code === "string" && SAFE_CODE.test(code)) return code;
  }
  return undefined;
};

/**
 * Whether the failure is an abort (`AbortError`, or undici's `UND_ERR_ABORTED`).
 *
 * @category classification
 * @since 0.1.0
 */
export const isAbort = (error: unknown): boolean =>
  chainOf(error).some(
    (link) => fieldOf(link, "name") === "AbortError" || fieldOf(link, "code") === "UND_ERR_ABORTED",
  );

/**
 * A transport error for `request`; the endpoint is origin and path only.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  kind: TransportErrorKind,
  reason: string,
  request: TransportRequest,
): TransportError =>
  new TransportError({ kind, reason, method: request.method, endpoint: endpointOf(request.url) });

/** Wrapper classes that say nothing about what failed: fetch's `TypeError`, ky's wrapper. */
const GENERIC_NAMES = new Set(["Error", "TypeError", "AggregateError", "NetworkError", "KyError"]);

/** The most specific class name in the chain (`HTTPParserError` under fetch's `TypeError`). */
const nameOf = (error: unknown): string => {
  const names = chainOf(error)
    .map((link) => fieldOf(link, "name"))
    .filter((name): name is string => typeof name === "string" && SAFE_NAME.test(name));
  return names.find((name) => !GENERIC_NAMES.has(name)) ?? names[0] ?? "UNKNOWN";
};

/**
 * Classifies a thrown client error: an abort becomes `Aborted`, anything else `Network` with
 * the error's code (or, failing that, the most specific class name in its cause chain).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromCause = (error: unknown, request: TransportRequest): TransportError => {
  if (isAbort(error)) return make("Aborted", "ABORTED", request);
  return make("Network", codeOf(error) ?? nameOf(error), request);
};
