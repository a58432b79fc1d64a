/**
 * `@miro-token/core`: Miro OAuth token operations as Effect programs — typed errors, one retry
 * layer, timeouts and a promise facade. Exports are flat; every name is unique.
 *
 * @since 0.1.0
 */
export * from "./Errors.ts";
export * from "./ExitCode.ts";
export * from "./Fingerprint.ts";
export * from "./HttpTransport.ts";
export * from "./JsonText.ts";
export * from "./MiroConfig.ts";
export * from "./MiroErrorBody.ts";
export * from "./RateLimit.ts";
export * as RetryPolicy from "./RetryPolicy.ts";
export * from "./TokenInfo.ts";
export * from "./TokenSet.ts";
export * from "./TransportError.ts";
