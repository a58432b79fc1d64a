/**
 * `@miro-token/transport-fetch`: the miro-token `HttpTransport` over `fetch`, and the pieces
 * every adapter shares (capped body reading, header collection, request checks, failure
 * classification).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Exchange from "./Exchange.ts";
/**
 * @since 0.1.0
 */
export * as FetchTransport from "./FetchTransport.ts";
/**
 * @since 0.1.0
 */
export * as RequestCheck from "./RequestCheck.ts";
/**
 * @since 0.1.0
 */
export * as ResponseBody from "./ResponseBody.ts";
/**
 * @since 0.1.0
 */
export * as ResponseHeaders from "./ResponseHeaders.ts";
/**
 * @since 0.1.0
 */
export * as TransportFailure from "./TransportFailure.ts";
