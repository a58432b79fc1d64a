/**
 * `@miro-token/transport-node/node-http`: the node transport over node:http only, without
 * undici (see `NodeHttpTransport.ts`).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as NodeHttpTransport from "./NodeHttpTransport.ts";
