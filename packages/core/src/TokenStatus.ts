/**
 * What the watcher knows about a token, as one tagged union. Every variant is a plain,
 * JSON-encodable value (a `Schema.TaggedUnion`), so a status can be printed as NDJSON, sent
 * over SSE or replayed by rxjs without a custom encoder, and it never holds a token: failures
 * are summarised by tag, transport kind and HTTP status only.
 *
 * - `Active`: the last probe succeeded.
 * - `Expiring`: the refresh point is reached (`refreshAt`), a refresh is about to start (or,
 *   for a token without a refresh token, expiry is near).
 * - `Refreshing`: a refresh is in flight. `Refreshed`: a new pair was persisted as `generation`.
 * - `PersistFailed`: Miro issued a new pair but the store refused it; the pair is held in
 *   memory and the write is retried. The old refresh token is never presented again.
 * - `Unreachable`: a transient failure (network, timeout, 5xx, a body we could not read);
 *   the token is presumed still valid. `RateLimited`: waiting for the quota to reset.
 * - `Expired`: the access token's lifetime is over but a refresh may still revive it.
 * - Terminal (see {@link isTerminal}): `Invalid` (Miro says no: revoked, uninstalled,
 *   expired without a refresh token), `ReauthorizeRequired` (the grant is dead or its fate is
 *   unknown: a human must authorize again), `Revoked` (we revoked it), `Stopped`.
 *
 * `Expired` is deliberately not terminal: a token whose access token lapsed (a sleeping laptop,
 * a long outage) is refreshed as soon as the watcher runs again; only the refresh's answer
 * decides whether it is dead.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";
import type { MiroTokenError } from "./Errors.ts";
import { TokenInfo } from "./TokenInfo.ts";

/**
 * A failure as a status may show it: the error's tag, its transport kind or HTTP status, and
 * Miro's error code when it is a known one. Never a message, a URL or a token.
 *
 * @category models
 * @since 0.1.0
 */
export const FailureSummary = Schema.Struct({
  tag: Schema.String,
  kind: Schema.optionalKey(Schema.String),
  status: Schema.optionalKey(Schema.Number),
  code: Schema.optionalKey(Schema.String),
});

/**
 * @category models
 * @since 0.1.0
 */
export type FailureSummary = typeof FailureSummary.Type;

/**
 * The secret-free summary of a typed error (or of any tagged value).
 *
 * @category constructors
 * @since 0.1.0
 */
export const summarizeFailure = (
  error: MiroTokenError | { readonly _tag: string },
): FailureSummary => {
  const fields = error as {
    readonly _tag: string;
    readonly kind?: unknown;
    readonly status?: unknown;
    readonly code?: unknown;
  };
  return {
    tag: fields._tag,
    ...(typeof fields.kind === "string" ? { kind: fields.kind } : {}),
    ...(typeof fields.status === "number" ? { status: fields.status } : {}),
    ...(typeof fields.code === "string" ? { code: fields.code } : {}),
  };
};

/**
 * The status union. Times are epoch milliseconds of the watcher's clock, for display; the
 * watcher schedules on monotonic time.
 *
 * @category schemas
 * @since 0.1.0
 */
export const TokenStatus = Schema.TaggedUnion({
  Active: {
    info: TokenInfo,
    checkedAt: Schema.Number,
    expiresAt: Schema.optionalKey(Schema.Number),
  },
  Expiring: { expiresAt: Schema.Number, refreshAt: Schema.Number },
  Refreshing: {},
  Refreshed: { expiresAt: Schema.optionalKey(Schema.Number), generation: Schema.Number },
  PersistFailed: { error: FailureSummary, attempt: Schema.Number },
  Unreachable: { error: FailureSummary, attempt: Schema.Number, nextCheckAt: Schema.Number },
  RateLimited: { resetAt: Schema.Number },
  Expired: { expiresAt: Schema.optionalKey(Schema.Number) },
  Invalid: { status: Schema.Number, code: Schema.optionalKey(Schema.String) },
  ReauthorizeRequired: { reason: Schema.String },
  Revoked: {},
  Stopped: { reason: Schema.String },
});

/**
 * @category models
 * @since 0.1.0
 */
export type TokenStatus = typeof TokenStatus.Type;

/**
 * The tag of a status.
 *
 * @category models
 * @since 0.1.0
 */
export type TokenStatusTag = TokenStatus["_tag"];

/**
 * Every tag, in lifecycle order.
 *
 * @category constants
 * @since 0.1.0
 */
export const TOKEN_STATUS_TAGS: ReadonlyArray<TokenStatusTag> = [
  "Active",
  "Expiring",
  "Refreshing",
  "Refreshed",
  "PersistFailed",
  "Unreachable",
  "RateLimited",
  "Expired",
  "Invalid",
  "ReauthorizeRequired",
  "Revoked",
  "Stopped",
];

/**
 * The statuses nothing leaves: the watcher ends its stream after emitting one.
 *
 * @category constants
 * @since 0.1.0
 */
export const TERMINAL_TAGS: ReadonlySet<TokenStatusTag> = new Set([
  "Invalid",
  "ReauthorizeRequired",
  "Revoked",
  "Stopped",
]);

/**
 * Whether nothing can follow this status.
 *
 * @category guards
 * @since 0.1.0
 */
export const isTerminal = (status: TokenStatus): boolean => TERMINAL_TAGS.has(status._tag);

const sameFailure = (a: FailureSummary, b: FailureSummary): boolean =>
  a.tag === b.tag && a.kind === b.kind && a.status === b.status && a.code === b.code;

/**
 * Whether two statuses say the same thing. Bookkeeping fields that change on every check
 * (`checkedAt`, a retry's `attempt` and `nextCheckAt`) are ignored, so a stream deduplicated
 * with it emits only real changes.
 *
 * @category equivalence
 * @since 0.1.0
 */
export const sameStatus = (a: TokenStatus, b: TokenStatus): boolean => {
  switch (a._tag) {
    case "Active":
      return (
        b._tag === "Active" &&
        a.expiresAt === b.expiresAt &&
        a.info.user.id === b.info.user.id &&
        a.info.team.id === b.info.team.id
      );
    case "Expiring":
      return b._tag === "Expiring" && a.expiresAt === b.expiresAt && a.refreshAt === b.refreshAt;
    case "Refreshed":
      return b._tag === "Refreshed" && a.generation === b.generation;
    case "PersistFailed":
      return b._tag === "PersistFailed" && sameFailure(a.error, b.error);
    case "Unreachable":
      return b._tag === "Unreachable" && sameFailure(a.error, b.error);
    case "RateLimited":
      return b._tag === "RateLimited" && a.resetAt === b.resetAt;
    case "Expired":
      return b._tag === "Expired" && a.expiresAt === b.expiresAt;
    case "Invalid":
      return b._tag === "Invalid" && a.status === b.status && a.code === b.code;
    case "ReauthorizeRequired":
      return b._tag === "ReauthorizeRequired" && a.reason === b.reason;
    case "Stopped":
      return b._tag === "Stopped" && a.reason === b.reason;
    case "Refreshing":
    case "Revoked":
      return a._tag === b._tag;
  }
};
