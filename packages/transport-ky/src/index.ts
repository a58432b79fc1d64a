/**
 * `@miro-token/transport-ky`: the miro-token `HttpTransport` over a ky instance, with ky's
 * retry, timeout and HTTP errors turned off.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as KyTransport from "./KyTransport.ts";
