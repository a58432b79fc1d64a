/**
 * The lifecycle rules, as one pure and total function: `transition(status, event, now)`.
 * The watcher observes the world (probes, refreshes, clocks) and turns each observation into a
 * {@link TokenEvent}; this module alone decides what the observation means for the token.
 *
 * The rules that matter most:
 * - Only Miro's own verdict on the access token (`InvalidTokenError`, token info 400/401) makes
 *   a token `Invalid`. A transport error, a timeout, a 5xx, a 429, a body we could not read or a
 *   store failure is transient: `Unreachable` (presumed still valid) or `RateLimited`.
 * - A token-info rejection (400 or 401, whatever the code, or none) of a token that can still be
 *   refreshed is `Expired`, not `Invalid`: one refresh decides ({@link classifyProbeFailure}).
 *   Miro documents no code that tells expired from revoked, so codes are never relied on.
 *   A refresh rejected as an invalid grant, an ambiguous refresh (outcome unknown) or
 *   a refresh that cannot be made at all (no credentials, client rejected) is
 *   `ReauthorizeRequired`: the watcher never loops on a dead grant.
 * - Terminal statuses ({@link isTerminal}) absorb every event.
 * - A successful probe does not hide a near expiry: `Expiring` stays until the refresh (or the
 *   expiry) moves it on.
 * - While a refresh is in flight (`Refreshing`) or its result awaits persistence
 *   (`PersistFailed`), probe results and clock events are ignored: the refresh decides.
 *
 * {@link ALLOWED_TRANSITIONS} states the legal moves independently of the code; the property
 * tests check the function against it.
 *
 * @since 0.1.0
 */
import type { MiroTokenErrorTag } from "./Errors.ts";
import type { TokenEvent } from "./TokenEvent.ts";
import {
  type FailureSummary,
  isTerminal,
  TOKEN_STATUS_TAGS,
  type TokenStatus,
  type TokenStatusTag,
} from "./TokenStatus.ts";

/**
 * Failures that say nothing about the token itself: the token is presumed still valid.
 *
 * @category constants
 * @since 0.1.0
 */
export const TRANSIENT_FAILURE_TAGS: ReadonlySet<string> = new Set<MiroTokenErrorTag>([
  "TransportError",
  "ServerError",
  "RateLimitedError",
  "ResponseDecodeError",
  "UnexpectedStatusError",
  "StoreError",
]);

/**
 * Whether a failure is transient (see {@link TRANSIENT_FAILURE_TAGS}).
 *
 * @category guards
 * @since 0.1.0
 */
export const isTransientFailure = (error: FailureSummary): boolean =>
  TRANSIENT_FAILURE_TAGS.has(error.tag);

const LIVE: ReadonlyArray<TokenStatusTag> = TOKEN_STATUS_TAGS;

/**
 * Every legal move, by the tag before and after (staying put is always legal).
 *
 * @category constants
 * @since 0.1.0
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<TokenStatusTag, ReadonlySet<TokenStatusTag>>> = {
  Active: new Set(LIVE),
  Expiring: new Set(LIVE),
  Refreshed: new Set(LIVE),
  Unreachable: new Set(LIVE),
  RateLimited: new Set(LIVE),
  Refreshing: new Set([
    "Refreshing",
    "Refreshed",
    "PersistFailed",
    "Unreachable",
    "RateLimited",
    "ReauthorizeRequired",
    "Revoked",
    "Stopped",
  ]),
  PersistFailed: new Set(["PersistFailed", "Refreshed", "Revoked", "Stopped"]),
  Expired: new Set([
    "Expired",
    "Active",
    "Refreshing",
    "Refreshed",
    "PersistFailed",
    "Invalid",
    "ReauthorizeRequired",
    "Revoked",
    "Stopped",
  ]),
  Invalid: new Set(["Invalid"]),
  ReauthorizeRequired: new Set(["ReauthorizeRequired"]),
  Revoked: new Set(["Revoked"]),
  Stopped: new Set(["Stopped"]),
};

/**
 * Whether `from -> to` is a legal move; `undefined` (nothing known yet) may become anything.
 *
 * @category guards
 * @since 0.1.0
 */
export const isAllowedTransition = (
  from: TokenStatusTag | undefined,
  to: TokenStatusTag,
): boolean => (from === undefined ? LIVE.includes(to) : ALLOWED_TRANSITIONS[from].has(to));

const reauthorize = (error: FailureSummary): TokenStatus => ({
  _tag: "ReauthorizeRequired",
  reason: error.code === undefined ? error.tag : `${error.tag} (${error.code})`,
});

/**
 * What a failed token-info probe means for the token:
 * - `"refresh"`: Miro rejected the token (400/401, any code or none) and it can still be
 *   refreshed: refresh once, the refresh decides;
 * - `"invalid"`: Miro rejected a token that cannot be (or was already) refreshed;
 * - `"reauthorize"`: the token we hold cannot even be sent;
 * - `"transient"`: the failure says nothing about the token (network, 5xx, 429, store ...).
 *
 * Server codes are not consulted: Miro documents none that tells expired from revoked.
 *
 * @category transitions
 * @since 0.2.0
 */
export const classifyProbeFailure = (
  error: FailureSummary,
  refreshable: boolean,
): "refresh" | "invalid" | "reauthorize" | "transient" => {
  if (error.tag === "InvalidTokenError") return refreshable ? "refresh" : "invalid";
  if (error.tag === "MalformedTokenError") return "reauthorize";
  return "transient";
};

const afterProbeFailure = (
  status: TokenStatus | undefined,
  event: Extract<TokenEvent, { _tag: "ProbeFailed" }>,
): TokenStatus => {
  const { error } = event;
  const expired = status?._tag === "Expired" ? status : undefined;
  const verdict = classifyProbeFailure(error, event.refreshable);
  if (verdict === "refresh") return expired ?? { _tag: "Expired" };
  if (verdict === "invalid") {
    return { _tag: "Invalid", status: error.status ?? 401, ...codeOf(error) };
  }
  if (verdict === "reauthorize") return reauthorize(error);
  if (expired !== undefined) return expired;
  if (error.tag === "RateLimitedError") {
    return { _tag: "RateLimited", resetAt: event.resetAt ?? event.nextCheckAt };
  }
  return {
    _tag: "Unreachable",
    error,
    attempt: event.attempt,
    nextCheckAt: event.nextCheckAt,
  };
};

const codeOf = (error: FailureSummary): { readonly code?: string } =>
  error.code === undefined ? {} : { code: error.code };

const afterRefreshFailure = (
  status: TokenStatus | undefined,
  event: Extract<TokenEvent, { _tag: "RefreshFailed" }>,
): TokenStatus => {
  const { error } = event;
  if (!isTransientFailure(error)) {
    return event.reason === undefined
      ? reauthorize(error)
      : { _tag: "ReauthorizeRequired", reason: event.reason };
  }
  if (status?._tag === "Expired") return status;
  if (error.tag === "RateLimitedError") {
    return { _tag: "RateLimited", resetAt: event.resetAt ?? event.nextCheckAt };
  }
  return {
    _tag: "Unreachable",
    error,
    attempt: event.attempt,
    nextCheckAt: event.nextCheckAt,
  };
};

/** Refreshing and PersistFailed: only the refresh's own outcome (and stopping) counts. */
const duringRefresh = (
  status: Extract<TokenStatus, { _tag: "Refreshing" | "PersistFailed" }>,
  event: TokenEvent,
): TokenStatus => {
  switch (event._tag) {
    case "RefreshSucceeded":
      return refreshed(event);
    case "PersistFailed":
      return persistFailed(event);
    case "RevokedByUs":
      return { _tag: "Revoked" };
    case "Stop":
      return { _tag: "Stopped", reason: event.reason };
    case "RefreshFailed":
      return status._tag === "Refreshing" ? afterRefreshFailure(status, event) : status;
    case "RateLimitHit":
      return status._tag === "Refreshing"
        ? { _tag: "RateLimited", resetAt: event.resetAt }
        : status;
    default:
      return status;
  }
};

const refreshed = (event: Extract<TokenEvent, { _tag: "RefreshSucceeded" }>): TokenStatus => ({
  _tag: "Refreshed",
  generation: event.generation,
  ...(event.expiresAt === undefined ? {} : { expiresAt: event.expiresAt }),
});

const persistFailed = (event: Extract<TokenEvent, { _tag: "PersistFailed" }>): TokenStatus => ({
  _tag: "PersistFailed",
  error: event.error,
  attempt: event.attempt,
});

/**
 * The next status. Pure and total: every status accepts every event. `status` is `undefined`
 * before anything is known; `now` (epoch ms) stamps `Active.checkedAt`.
 *
 * @category transitions
 * @since 0.1.0
 */
export const transition = (
  status: TokenStatus | undefined,
  event: TokenEvent,
  now: number,
): TokenStatus => {
  if (status !== undefined && isTerminal(status)) return status;
  if (status?._tag === "Refreshing" || status?._tag === "PersistFailed") {
    return duringRefresh(status, event);
  }
  const expired = status?._tag === "Expired" ? status : undefined;
  switch (event._tag) {
    case "ProbeSucceeded":
      if (status?._tag === "Expiring") return status;
      return {
        _tag: "Active",
        info: event.info,
        checkedAt: now,
        ...(event.expiresAt === undefined ? {} : { expiresAt: event.expiresAt }),
      };
    case "ProbeFailed":
      return afterProbeFailure(status, event);
    case "ExpiryApproaching":
      return (
        expired ?? { _tag: "Expiring", expiresAt: event.expiresAt, refreshAt: event.refreshAt }
      );
    case "RefreshStarted":
      return { _tag: "Refreshing" };
    case "RefreshSucceeded":
      return refreshed(event);
    case "RefreshFailed":
      return afterRefreshFailure(status, event);
    case "PersistFailed":
      return persistFailed(event);
    case "RateLimitHit":
      return expired ?? { _tag: "RateLimited", resetAt: event.resetAt };
    case "ExpiryReached":
      return {
        _tag: "Expired",
        ...(event.expiresAt === undefined ? {} : { expiresAt: event.expiresAt }),
      };
    case "RevokedByUs":
      return { _tag: "Revoked" };
    case "Stop":
      return { _tag: "Stopped", reason: event.reason };
  }
};
