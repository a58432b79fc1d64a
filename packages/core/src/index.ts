/**
 * `@miro-token/core`: Miro OAuth token operations as Effect programs.
 *
 * @since 0.1.0
 */
export * from "./HttpTransport.ts";
export * from "./TransportError.ts";
