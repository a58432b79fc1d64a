/**
 * `@miro-token/transport-node`: the fast miro-token `HttpTransport` for Node, with keep-alive
 * pools per origin over undici (default) or node:http.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as NodeTransport from "./NodeTransport.ts";
