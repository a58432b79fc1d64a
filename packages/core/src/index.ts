/**
 * `@miro-token/core`: Miro OAuth token operations as Effect programs — typed errors, one retry
 * layer, timeouts and a promise facade.
 *
 * Exports are flat and every name is unique, except `RetryPolicy`, a namespace of pure
 * functions whose short names (`decide`, `schedule`) read well only qualified, and the
 * transport kit (`Exchange`, `ResponseBody`, `ResponseHeaders`, `RequestCheck`,
 * `TransportFailure`): the pieces every `HttpTransport` adapter shares, so an adapter supplies
 * only its exchange; `HttpClientTransport` is that adapter over an Effect `HttpClient`.
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
export * from "./ObservedTransport.ts";
export type { RevokeResult } from "./operations/RevokeOperation.ts";
export { REVOKE_MAX_ATTEMPTS } from "./operations/RevokeOperation.ts";
export {
  type RefreshInput,
  TOKEN_ENDPOINT_MAX_ATTEMPTS,
} from "./operations/TokenEndpoint.ts";
export type { TokenInfoResult } from "./operations/TokenInfoOperation.ts";
export { TOKEN_INFO_MAX_ATTEMPTS } from "./operations/TokenInfoOperation.ts";
export * from "./PromiseClient.ts";
export * from "./RateLimit.ts";
export { REFRESH_OUTCOME_LOST } from "./RefreshIntents.ts";
export * from "./RequestBudget.ts";
export * as RetryPolicy from "./RetryPolicy.ts";
export * from "./settings/ArgvSecrets.ts";
export * from "./settings/DurationText.ts";
export * from "./settings/EnvConfig.ts";
export * from "./settings/SecretText.ts";
export * from "./settings/TokenId.ts";
export * from "./TokenClient.ts";
export * from "./TokenInfo.ts";
export * from "./TokenRefresher.ts";
export * from "./TokenSet.ts";
export * from "./TokenStatus.ts";
export * from "./TokenStore.ts";
export * from "./TokenStorePaging.ts";
export * from "./TokenText.ts";
export * from "./TokenTransition.ts";
export * from "./TokenWatcher.ts";
export * from "./TransportError.ts";
export * as Exchange from "./transport/Exchange.ts";
export * as HttpClientTransport from "./transport/HttpClientTransport.ts";
export * as RequestCheck from "./transport/RequestCheck.ts";
export * as ResponseBody from "./transport/ResponseBody.ts";
export * as ResponseHeaders from "./transport/ResponseHeaders.ts";
export * as TransportFailure from "./transport/TransportFailure.ts";
export type { WatchOptions } from "./WatchSchedule.ts";
export * as WatchSchedule from "./WatchSchedule.ts";
