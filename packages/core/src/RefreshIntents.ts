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
 * that timed out — means the outcome of that refresh is unknown. Resolving it goes:
 *
 * 1. probe first ({@link probeLostOutcome}): while the stored access token of that generation
 *    has not expired, ask Miro about it (`GET /v1/oauth-token`). Miro calls it invalid
 *    (`InvalidTokenError`, 400/401): the refresh token is not sent, and the token needs
 *    re-authorization with the reason {@link REFRESH_OUTCOME_LOST}. A transient answer
 *    (network, 5xx, 429, an unreadable body) fails the refresh as that transient error: the
 *    intent stays, nothing is presented, and the caller retries later — never `Invalid`;
 * 2. otherwise (the access token is valid, or already expired so its answer says nothing) the
 *    stored refresh token is tried once, and if Miro rejects it the reason is again
 *    {@link REFRESH_OUTCOME_LOST}, never `Invalid`.
 *
 * Why probing first is safe whichever way Miro behaves. Miro does not document whether a
 * rotation kills the old access token (the emulator kills it). If it does, an invalid access
 * token means the refresh reached Miro (or the grant is gone: an uninstall or a revocation,
 * which revokes the refresh token too), so the stored refresh token is spent either way and
 * presenting it again could only be refused — the probe spares Miro a second presentation of
 * a rotated refresh token. If it does not, the old access token answers valid, and the
 * refresh token is tried once exactly as without the probe. The probe therefore never causes
 * a presentation the rule without it would not make; it only withholds one whose refusal is
 * already known. Its one risk — calling a pair lost that was not — needs Miro to reject an
 * unexpired access token of a live grant, which is a revocation. An access token within
 * {@link PROBE_EXPIRY_MARGIN} of its stored expiry counts as expired: its rejection could be
 * plain expiry (the stored expiry is measured from when the answer arrived, later than Miro's
 * clock started), so it proves nothing and the refresh token is tried once as before.
 *
 * Whichever way a generation's grant is found dead, the verdict is recorded on the intent
 * ({@link recordRefused}), so it outlives the process that reached it: the next refresher —
 * after a restart, or the next owner in a fleet, when the access token may have expired and
 * the probe could no longer tell — reports it ({@link refusedGrant}) and sends nothing. Without
 * the record, each new owner of a dead token would present its spent refresh token once more.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect } from "effect";
import type { MiroTokenError, MiroTokenErrorTag, StoreError, TokenInfoError } from "./Errors.ts";
import type { TokenClientShape } from "./TokenClient.ts";
import { summarizeFailure } from "./TokenStatus.ts";
import {
  type RefreshIntent,
  type StoredToken,
  type TokenStoreShape,
  unresolvedIntent,
} from "./TokenStore.ts";

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

/**
 * The recorded verdict on `current`'s generation, if its grant is known dead.
 *
 * @category refresh
 * @since 0.4.0
 */
export const refusedGrant = (current: StoredToken): RefusedGrant | undefined =>
  unresolvedIntent(current)?.refused;

/**
 * A dead grant's verdict as recorded on the intent.
 *
 * @category models
 * @since 0.4.0
 */
export type RefusedGrant = NonNullable<RefreshIntent["refused"]>;

/**
 * Record, on `current`'s generation, that its grant is dead and why. Best effort: a store that
 * fails here only loses the record, which the in-process verdict still covers; another process
 * then probes again before presenting (see the module header).
 *
 * @category refresh
 * @since 0.4.0
 */
export const recordRefused = (
  store: TokenStoreShape,
  current: StoredToken,
  refused: RefusedGrant,
): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    store.recordRefreshIntent(current.id, {
      generation: current.generation,
      startedAt: unresolvedIntent(current)?.startedAt ?? now,
      refused,
    }),
  ).pipe(Effect.ignore);

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

/**
 * How close to its stored expiry an access token counts as expired for
 * {@link probeLostOutcome}: Miro's rejection of it could then be plain expiry.
 *
 * @category constants
 * @since 0.1.0
 */
export const PROBE_EXPIRY_MARGIN: Duration.Duration = Duration.seconds(10);

/**
 * What the probe before resolving an intent decided: `"present"` the stored refresh token
 * once (its access token is valid, or expired and so says nothing), or `"lost"`: Miro called
 * the unexpired access token invalid, so the refresh token is not presented.
 *
 * @category models
 * @since 0.1.0
 */
export type LostOutcomeProbe =
  | { readonly _tag: "present" }
  | { readonly _tag: "lost"; readonly status: number };

/**
 * Probe the stored access token of `current` (which carries an unresolved intent) before its
 * refresh token is presented again; see the module header. Fails with the probe's transient
 * error (network, 5xx, 429, unreadable body): nothing may be presented until it is answered.
 *
 * @category refresh
 * @since 0.1.0
 */
export const probeLostOutcome = (
  client: TokenClientShape,
  current: StoredToken,
): Effect.Effect<LostOutcomeProbe, Exclude<TokenInfoError, { _tag: "InvalidTokenError" }>> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const { accessToken, expiresAt } = current.tokenSet;
    if (expiresAt !== undefined && expiresAt - now <= Duration.toMillis(PROBE_EXPIRY_MARGIN)) {
      return Effect.succeed(PRESENT);
    }
    return client.info(accessToken).pipe(
      Effect.as(PRESENT),
      Effect.catchTag("InvalidTokenError", (invalid) =>
        Effect.succeed<LostOutcomeProbe>({ _tag: "lost", status: invalid.status }),
      ),
    );
  });

const PRESENT: LostOutcomeProbe = { _tag: "present" };
