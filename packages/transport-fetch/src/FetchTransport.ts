/**
 * The `HttpTransport` over the WHATWG `fetch`: the global one (Node 18+, browsers, Deno, Bun)
 * or an injected one. Redirects are returned as they are (`redirect: "manual"`), statuses are
 * never interpreted, the body is read with a byte cap, and interrupting the fiber aborts the
 * request through its `AbortSignal`, which closes the connection.
 *
 * @since 0.1.0
 */
import {
  Exchange,
  HttpTransport,
  ResponseBody,
  ResponseHeaders,
  type TransportError,
  type TransportRequest,
  type TransportResponse,
} from "@miro-token/core";
import { type Effect, Layer } from "effect";

/**
 * The part of `fetch` the transport uses. A ky instance, a fetch with a custom dispatcher or a
 * test double over real sockets all fit.
 *
 * @category models
 * @since 0.1.0
 */
export type Fetch = (input: string, init: RequestInit) => PromiseLike<Response>;

/**
 * @category models
 * @since 0.1.0
 */
export interface FetchTransportOptions {
  /**
   * The fetch to send with.
   *
   * @default globalThis.fetch (read at each call, so a later polyfill is seen)
   */
  readonly fetch?: Fetch | undefined;
}

const globalFetch: Fetch = (input, init) => globalThis.fetch(input, init);

/** A `content-length` of plain digits, else `undefined`. */
const declaredLength = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;

/**
 * Whether the body can be read in one piece: its declared length is within the cap and it is
 * not content-encoded (fetch inflates a compressed body, whose declared length says nothing
 * about the inflated size). Anything else goes through the capped reader.
 */
const fitsWhole = (headers: Readonly<Record<string, string>>, maxBytes: number): boolean => {
  const length = declaredLength(headers["content-length"]);
  const encoding = headers["content-encoding"];
  return (
    length !== undefined &&
    length <= maxBytes &&
    (encoding === undefined || encoding === "identity")
  );
};

// A body over the cap makes `Exchange` abort `signal`, which drops the connection even when
// an injected fetch ignores a cancelled body stream.
const exchange = async (
  fetch: Fetch,
  request: TransportRequest,
  signal: AbortSignal,
): Promise<Exchange.Exchanged> => {
  const init: RequestInit = {
    method: request.method,
    headers: request.headers,
    redirect: "manual",
    signal,
  };
  if (request.body !== undefined) init.body = request.body;
  const response = await fetch(request.url, init);
  const headers = ResponseHeaders.fromEntries(response.headers);
  const body = fitsWhole(headers, request.maxBodyBytes)
    ? await response.text()
    : await ResponseBody.readBodyCapped(response.body, request.maxBodyBytes);
  return { status: response.status, headers, body };
};

/**
 * Sends one request with `fetch`. Exposed for adapters built on a fetch-compatible function
 * (the ky adapter); most code wants {@link layer} or {@link layerWith}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sendWith = (
  fetch: Fetch,
): ((request: TransportRequest) => Effect.Effect<TransportResponse, TransportError>) =>
  Exchange.toSend("FetchTransport.send", (request, signal) => exchange(fetch, request, signal));

/**
 * A transport service over `options.fetch` (default: the global fetch).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: FetchTransportOptions = {}): HttpTransport["Service"] =>
  HttpTransport.of({ send: sendWith(options.fetch ?? globalFetch), enforcesTimeout: true });

/**
 * The transport over the global `fetch`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpTransport> = Layer.sync(HttpTransport, () => make());

/**
 * The transport over an injected `fetch`.
 *
 * @example
 * ```ts
 * import { FetchTransport } from "@miro-token/transport-fetch"
 * import { fetch, Agent } from "undici"
 *
 * const dispatcher = new Agent({ connections: 4 })
 * const TransportLive = FetchTransport.layerWith({
 *   fetch: (url, init) => fetch(url, { ...init, dispatcher })
 * })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWith = (options: FetchTransportOptions): Layer.Layer<HttpTransport> =>
  Layer.sync(HttpTransport, () => make(options));
