/**
 * `@miro-token/transport-fetch`: the miro-token `HttpTransport` over `fetch`.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as FetchTransport from "./FetchTransport.ts";
