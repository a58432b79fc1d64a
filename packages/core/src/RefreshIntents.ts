/**
 * Refresh intents: the refresher's half of closing the crash window of a refresh. Miro rotates
 * the refresh token when it receives the request, so between sending a refresh and storing its
 * answer the only valid pair lives in one process's memory, for a whole round trip (plus the
 * write). A crash or a timed-out attempt there used to lose the pair silently, and the next
 * probe of the old access token read as an uninstall (`Invalid`).
 *
 * So before sending, the refresher records a {@link RefreshIntent} in the store (which
 * generation's refresh token, and when); storing the new pair drops it. An
 * intent still there when the entry is next refreshed — after a restart, or after an attempt
 * that timed out — means the outcome of that refresh is unknown: the stored refresh token is
 * tried once, and if Miro rejects it the token needs re-authorization with the reason
 * {@link REFRESH_OUTCOME_LOST}, never `Invalid`.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect";
import type { MiroTokenError, MiroTokenErrorTag, StoreError } from "./Errors.ts";
import { summarizeFailure } from "./TokenStatus.ts";
import type { StoredToken, TokenStoreShape } from "./TokenStore.ts";

/**
 * The `ReauthorizeRequired` reason when a refresh may have been rotated by Miro but its answer
 * never reached the store (a crash, a timeout, a lost response) and the stored refresh token
 * is then rejected.
 *
 * @category constants
 * @since 0.1.0
 */
export const REFRESH_OUTCOME_LOST = "refresh outcome lost";

/**
 * Record, durably, that `current`'s refresh token is about to be sent. `false` when the entry
 * moved on (or went) since it was read: then nothing may be sent.
 *
 * @category refresh
 * @since 0.1.0
 */
export const recordIntent = (
  store: TokenStoreShape,
  current: StoredToken,
): Effect.Effect<boolean, StoreError> =>
  Effect.flatMap(Clock.currentTimeMillis, (startedAt) =>
    store.recordRefreshIntent(current.id, { generation: current.generation, startedAt }),
  );

const GRANT_IS_DEAD: ReadonlySet<string> = new Set<MiroTokenErrorTag>([
  "InvalidGrantError",
  "RefreshOutcomeUnknownError",
]);

/**
 * Why a failed refresh leaves the grant dead (re-authorize), or `undefined` when it does not.
 * {@link REFRESH_OUTCOME_LOST} when the pair was lost rather than refused: the client saw an
 * ambiguous attempt rejected on retry (`RefreshOutcomeUnknownError`), or the refresh resolved
 * an unresolved intent (`resolvingIntent`) and Miro refused the stored refresh token (with
 * `invalid_grant`, or Miro's documented 401, which does not say whether the grant or the client
 * was refused); else
 * the error's tag and Miro's code, e.g. `InvalidGrantError (invalidGrant)`.
 *
 * @category refresh
 * @since 0.1.0
 */
export const deadGrantReason = (
  error: MiroTokenError,
  resolvingIntent: boolean,
): string | undefined => {
  // Miro documents one 401 for every token-endpoint failure, so a dead grant and bad client
  // credentials look alike there; after a lost outcome the rotated-away grant is the reading.
  if (resolvingIntent && (GRANT_IS_DEAD.has(error._tag) || error._tag === "ClientAuthError")) {
    return REFRESH_OUTCOME_LOST;
  }
  if (!GRANT_IS_DEAD.has(error._tag)) return undefined;
  if (error._tag === "RefreshOutcomeUnknownError") return REFRESH_OUTCOME_LOST;
  const { code } = summarizeFailure(error);
  return code === undefined ? error._tag : `${error._tag} (${code})`;
};
