/**
 * The `HttpTransport` over ky. The adapter derives its own instance from the one you give it
 * with `extend`, so your hooks, headers and `fetch` still apply, but turns off everything that
 * is policy: ky's retry (it retries GETs twice and honours `Retry-After` without limit), its
 * timeout, its HTTP errors (whose message holds the full URL, query string included), its
 * `prefix`, and redirect following. Sending and body reading are the fetch adapter's: ky is
 * used as a fetch-compatible function, and the body is read with the same byte cap.
 *
 * @since 0.1.0
 */
import { HttpTransport } from "@miro-token/core";
import { FetchTransport } from "@miro-token/transport-fetch";
import { Layer } from "effect";
import defaultKy, { type KyInstance, type Options } from "ky";

/**
 * @category models
 * @since 0.1.0
 */
export interface KyTransportOptions {
  /**
   * The instance to derive from; its hooks, headers and `fetch` keep working.
   *
   * @default the default `ky` export
   */
  readonly ky?: KyInstance | undefined;
}

/**
 * What the adapter forces on the derived instance: no retry, no timeout, statuses returned
 * rather than thrown, no prefix (core sends absolute URLs), redirects returned as they are.
 *
 * @category constants
 * @since 0.1.0
 */
export const policyFree: Options = {
  retry: 0,
  timeout: false,
  totalTimeout: false,
  throwHttpErrors: false,
  prefix: "",
  redirect: "manual",
};

/**
 * A transport service over a ky instance derived from `options.ky`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: KyTransportOptions = {}): HttpTransport["Service"] => {
  const instance = (options.ky ?? defaultKy).extend(policyFree);
  return HttpTransport.of({
    send: FetchTransport.sendWith((url, init) => instance(url, init)),
    enforcesTimeout: true,
  });
};

/**
 * The transport over the default ky.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpTransport> = Layer.sync(HttpTransport, () => make());

/**
 * The transport over your ky instance.
 *
 * @example
 * ```ts
 * import { KyTransport } from "@miro-token/transport-ky"
 * import ky from "ky"
 *
 * const api = ky.create({
 *   hooks: { beforeRequest: [({ request }) => request.headers.set("x-trace", "1")] }
 * })
 * const TransportLive = KyTransport.layerWith({ ky: api })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWith = (options: KyTransportOptions): Layer.Layer<HttpTransport> =>
  Layer.sync(HttpTransport, () => make(options));
