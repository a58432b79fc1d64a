/**
 * The refresher's two ways of finding a token gone from its store: before anything was sent
 * (the entry was not there under the lock) and after Miro issued a pair (the entry went while
 * the request was out). Both fail the refresh with `ReauthorizeRequiredError` for direct
 * callers; a watch loop reads them as the removal they are and stops the token (`Stopped`),
 * since in a fleet "gone" usually means another replica owns the token now, which is fine.
 *
 * @since 0.4.0
 */

/**
 * The reason when the entry is not in the store as the refresh starts.
 *
 * @category constants
 * @since 0.4.0
 */
export const NOT_IN_STORE = "not in the token store";

/**
 * The reason when the entry was removed while its refresh was out.
 *
 * @category constants
 * @since 0.4.0
 */
export const REMOVED_WHILE_REFRESHING = "removed from the store while refreshing";

/**
 * Whether a re-authorize reason says the token is gone from the store (not that its grant
 * is dead).
 *
 * @category predicates
 * @since 0.4.0
 */
export const isGoneFromStore = (reason: string | undefined): boolean =>
  reason === NOT_IN_STORE || reason === REMOVED_WHILE_REFRESHING;
