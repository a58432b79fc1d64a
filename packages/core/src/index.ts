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
 * Names are listed one by one: what a user needs is here; the pieces core's own modules, the
 * sibling packages and the tests share are in `@miro-token/core/internal`, with no stability
 * promise.
 *
 * @since 0.1.0
 */
export {
  type BaseUrlOptions,
  type BaseUrlProblem,
  type CheckedBaseUrl,
  checkBaseUrl,
  INSECURE_HTTP_WARNING,
  isLoopbackHost,
} from "./BaseUrl.ts";
export {
  ClientAuthError,
  type GrantError,
  GrantType,
  InsecureBaseUrlError,
  InvalidGrantError,
  InvalidTokenError,
  isMiroTokenError,
  isRetryable,
  MalformedTokenError,
  MIRO_TOKEN_ERROR_TAGS,
  type MiroTokenError,
  type MiroTokenErrorTag,
  MiroTokenErrorTypeId,
  MissingCredentialsError,
  RateLimitedError,
  ReauthorizeRequiredError,
  RefreshOutcomeUnknownError,
  type RequestError,
  ResponseDecodeError,
  RevokeEndpointGoneError,
  type RevokeError,
  RevokeRejectedError,
  ServerError,
  StoreError,
  type TokenInfoError,
  UnexpectedStatusError,
} from "./Errors.ts";
export * from "./ExitCode.ts";
export { fingerprint } from "./Fingerprint.ts";
export * from "./HttpTransport.ts";
export { type JsonFailure, parseJson } from "./JsonText.ts";
export { makeMemoryStore } from "./MemoryStore.ts";
export {
  CORE_VERSION,
  MiroConfig,
  type MiroConfigOptions,
  type MiroConfigShape,
  makeMiroConfig,
  miroConfigDefaults,
  miroEnvConfig,
  type RetryOptions,
} from "./MiroConfig.ts";
export { MiroErrorBody } from "./MiroErrorBody.ts";
export * from "./ObservedTransport.ts";
export type {
  ClaimOptions,
  DeliveryOutcome,
  DeliveryState,
  OutboxEntry,
  OutboxEvent,
  TokenOutbox,
} from "./Outbox.ts";
export type { RevokeResult } from "./operations/RevokeOperation.ts";
export { REVOKE_MAX_ATTEMPTS } from "./operations/RevokeOperation.ts";
export {
  type RefreshInput,
  TOKEN_ENDPOINT_MAX_ATTEMPTS,
} from "./operations/TokenEndpoint.ts";
export type { TokenInfoResult } from "./operations/TokenInfoOperation.ts";
export { TOKEN_INFO_MAX_ATTEMPTS } from "./operations/TokenInfoOperation.ts";
export * from "./PromiseClient.ts";
export { parseRateLimit, type RateLimit } from "./RateLimit.ts";
export { REFRESH_OUTCOME_LOST } from "./RefreshIntents.ts";
export {
  isRefreshTokenExpiring,
  type RefreshTokenAge,
  refreshTokenExpiresAt,
} from "./RefreshTokenAge.ts";
export * as RetryPolicy from "./RetryPolicy.ts";
export {
  makeRetryQuota,
  RETRY_QUOTA_DEFAULTS,
  RetryQuota,
  type RetryQuotaOptions,
  type RetryQuotaShape,
  unlimitedRetryQuota,
} from "./RetryQuota.ts";
export {
  type ArgvSecret,
  type ArgvSecretKind,
  describeArgvSecret,
  findSecretOnArgv,
} from "./settings/ArgvSecrets.ts";
export { parseDuration, parseDurationMillis } from "./settings/DurationText.ts";
export * from "./settings/EnvConfig.ts";
export * from "./settings/SecretText.ts";
export * from "./settings/TokenId.ts";
export * from "./TokenClient.ts";
export { TokenEvent } from "./TokenEvent.ts";
export { MiroEntity, TokenInfo } from "./TokenInfo.ts";
export {
  DEFAULT_MIN_VALIDITY,
  type RefreshError,
  type RefreshOptions,
  refresherFor,
  TokenRefresher,
  type TokenRefresherShape,
} from "./TokenRefresher.ts";
export * from "./TokenSet.ts";
export {
  FailureSummary,
  isTerminal,
  sameStatus,
  TOKEN_STATUS_TAGS,
  TokenStatus,
  type TokenStatusTag,
} from "./TokenStatus.ts";
export * from "./TokenStore.ts";
export * from "./TokenStorePaging.ts";
export * from "./TokenText.ts";
export { ALLOWED_TRANSITIONS, transition } from "./TokenTransition.ts";
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
