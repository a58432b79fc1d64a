/**
 * `@miro-token/core/internal`: the pieces core's own modules, the sibling packages and the
 * tests share but users do not need (constants of core's rules, low-level parsers, the
 * refresher constructor behind the `TokenRefresher` layer). No stability promise: a name here
 * may change in any release. Everything users need is in `@miro-token/core`.
 *
 * @since 0.1.0
 * @internal
 */

export { type DueHeap, type DueItem, makeDueHeap } from "./DueHeap.ts";
export { MIRO_TOKEN_ERROR_CLASSES } from "./Errors.ts";
export { FINGERPRINT_LENGTH } from "./Fingerprint.ts";
export { parseJsonWithoutSourceAccess } from "./JsonText.ts";
export { type KeyedLock, makeKeyedLock } from "./KeyedLock.ts";
export { credentialsOf } from "./MiroConfig.ts";
export { KNOWN_ERROR_CODES, parseMiroErrorBody, safeErrorCode } from "./MiroErrorBody.ts";
export { isClaimable, makeMemoryOutbox, pendingEntry, settled } from "./Outbox.ts";
export { alreadyRevokedResult } from "./operations/RevokeOperation.ts";
export { PERSIST_BACKOFF } from "./PersistPair.ts";
export { parseHeaderInteger } from "./RateLimit.ts";
export { PROBE_EXPIRY_MARGIN } from "./RefreshIntents.ts";
export {
  DEFAULT_REFRESH_TOKEN_MARGIN_MS,
  MIRO_REFRESH_TOKEN_LIFETIME_MS,
  refreshTokenDueAt,
} from "./RefreshTokenAge.ts";
export { makeRequestBudget, monotonicMillis, type RequestBudget } from "./RequestBudget.ts";
export { makeStoreChangeFeed, type StoreChangeFeed } from "./StoreChangeFeed.ts";
export {
  ARGV_SECRET_REASON,
  findUrlPasswordOnArgv,
  SECRET_FLAGS,
  URL_PASSWORD_HINT,
  URL_PASSWORD_ON_ARGV,
} from "./settings/ArgvSecrets.ts";
export { describeParseError } from "./settings/CommandLineErrors.ts";
export { MAX_DURATION_TEXT_LENGTH } from "./settings/DurationText.ts";
export { processExitCode } from "./settings/ProcessExit.ts";
export * from "./settings/StoreUrl.ts";
export { decodeTokenInfo, MiroId } from "./TokenInfo.ts";
export { makeRefresher } from "./TokenRefresher.ts";
export { summarizeFailure, TERMINAL_TAGS } from "./TokenStatus.ts";
export {
  classifyProbeFailure,
  isAllowedTransition,
  isTransientFailure,
  TRANSIENT_FAILURE_TAGS,
} from "./TokenTransition.ts";
export {
  planNext,
  refreshDueAt,
  type WatchAction,
  type WatchNow,
  type WatchState,
} from "./WatchPlan.ts";
export { makeRecord, type WatchRecord } from "./WatchRecord.ts";
