/**
 * The one failure a transport adapter may report: the request did not produce a complete HTTP
 * response. Status codes are never transport errors; they are interpreted by core.
 *
 * The message names the method and the URL's origin and path only: a transport error never
 * carries a header, a body, or a query string, so it cannot carry a token.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect";
import { MiroTokenErrorTypeId } from "./errors/ErrorBrand.ts";

/**
 * Why the request failed below HTTP:
 * - `Network`: connection refused or reset, DNS failure, socket closed mid-response.
 * - `Timeout`: core's per-attempt timeout elapsed (timed by core, or by an adapter that
 *   enforces the `timeout` core handed it; adapters never choose one of their own).
 * - `Aborted`: the caller interrupted the request.
 * - `BodyTooLarge`: the response body exceeded the request's `maxBodyBytes` cap.
 *
 * @category models
 * @since 0.1.0
 */
export const TransportErrorKind = Schema.Literals([
  "Network",
  "Timeout",
  "Aborted",
  "BodyTooLarge",
]);

/**
 * @category models
 * @since 0.1.0
 */
export type TransportErrorKind = typeof TransportErrorKind.Type;

/**
 * A request failed before a complete response arrived.
 *
 * @category errors
 * @since 0.1.0
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  kind: TransportErrorKind,
  method: Schema.String,
  /** Origin and path of the request: never the query string. */
  endpoint: Schema.String,
  /** A short description of the low-level failure (e.g. `ECONNRESET`), free of secrets. */
  reason: Schema.String,
  /**
   * HTTP attempts made when core gave up (core fills it in; an adapter leaves the default 1).
   */
  attempts: Schema.Number.pipe(Schema.withConstructorDefault(Effect.succeed(1))),
  /** Never set: a transport error has no HTTP status. Declared so every core error has it. */
  status: Schema.optionalKey(Schema.Number),
}) {
  readonly [MiroTokenErrorTypeId]: MiroTokenErrorTypeId = MiroTokenErrorTypeId;
  /** Network failures and timeouts are transient; an abort or an oversized body is not. */
  readonly retryable: boolean = this.kind === "Network" || this.kind === "Timeout";

  override get message(): string {
    return `TransportError: ${this.kind} — ${this.reason} (${this.method} ${this.endpoint})`;
  }
}

/**
 * The origin and path of a URL, without query string or fragment, for use in messages.
 * Returns `"<invalid url>"` rather than echoing a URL that cannot be parsed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const endpointOf = (url: string): string => {
  const parsed = URL.parse(url);
  return parsed === null ? "<invalid url>" : `${parsed.origin}${parsed.pathname}`;
};
