/**
 * The transport seam: the only thing an HTTP adapter (fetch, ky, node) supplies to core.
 *
 * An adapter sends one request and returns the status, the lower-cased headers and the whole
 * body as text. It never interprets status codes, never retries, never chooses a timeout of
 * its own, enforces `maxBodyBytes` while reading, aborts the request when the fiber is
 * interrupted, and reports only {@link TransportError}. All policy (retry, deadlines, decoding)
 * lives in core, so every transport behaves the same.
 *
 * An adapter may declare `enforcesTimeout`: it then ends an exchange that outlasts the
 * request's `timeout` itself (with a timer and its abort signal), and core hands it each
 * attempt's budget instead of racing the attempt against a timer in a second fiber. Core does
 * so only on the live clock; under a test clock it keeps timing attempts itself. Every adapter
 * built with `Exchange.toTransport` declares it.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect";
import type { TransportError } from "./TransportError.ts";

/**
 * One HTTP request as core builds it. Secrets travel only in `headers.authorization` or in
 * `body`, never in `url`.
 *
 * @category models
 * @since 0.1.0
 */
export interface TransportRequest {
  readonly method: "GET" | "POST";
  /** Absolute URL. Core never puts a secret in it. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  /** The adapter aborts with `TransportError{kind: "BodyTooLarge"}` past this many bytes. */
  readonly maxBodyBytes: number;
  /**
   * Milliseconds the whole exchange (headers and body) may take. Set by core only for a
   * transport that declares `enforcesTimeout`, which then aborts the request past it and fails
   * with `TransportError{kind: "Timeout"}` (reason `no complete response within <ms> ms`).
   */
  readonly timeout?: number | undefined;
}

/**
 * One complete HTTP response.
 *
 * @category models
 * @since 0.1.0
 */
export interface TransportResponse {
  readonly status: number;
  /** Header names in lower case; repeated headers joined with `", "`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body decoded as UTF-8 (invalid sequences replaced, never thrown). */
  readonly body: string;
}

/**
 * The HTTP transport service. Provide one of the adapter layers (`@miro-token/transport-fetch`,
 * `-ky`, `-node`) or your own.
 *
 * @category services
 * @since 0.1.0
 */
export class HttpTransport extends Context.Service<
  HttpTransport,
  {
    readonly send: (request: TransportRequest) => Effect.Effect<TransportResponse, TransportError>;
    /**
     * Whether `send` honours `request.timeout` (see the module header). Absent or `false`:
     * core bounds each attempt itself.
     */
    readonly enforcesTimeout?: boolean | undefined;
  }
>()("@miro-token/core/HttpTransport") {}

/**
 * The default response-body cap: 1 MiB. Miro's token responses are a few hundred bytes.
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
