/**
 * Step 4 of the refresh protocol (`TokenRefresher.ts`) on its own: writing a pair Miro has
 * already issued. The old refresh token is spent, so the new pair must reach the store or be
 * kept trying: a `StoreError` is reported and the write retried with backoff (only the sleep
 * between tries is interruptible); a `Conflict` hands out the newer entry another writer
 * stored, never writing over it.
 *
 * @since 0.3.0
 */

import { Duration, Effect, Option, Random } from "effect";
import type { StoreError } from "./Errors.ts";
import { ReauthorizeRequiredError } from "./errors/ReauthorizeRequiredError.ts";
import { type Backoff, delayFor } from "./RetryPolicy.ts";
import { REMOVED_WHILE_REFRESHING } from "./StoreAbsence.ts";
import type { TokenSet } from "./TokenSet.ts";
import type { StoredToken, TokenStoreShape } from "./TokenStore.ts";

/**
 * Backoff between retries of a failed write of a new pair.
 *
 * @category constants
 * @since 0.1.0
 */
export const PERSIST_BACKOFF: Backoff = { base: 250, cap: 30_000 };

/**
 * Write `next` as the generation after `current`: the stored entry on success, the newer
 * entry on a lost compare-and-set, `ReauthorizeRequiredError` if the token was removed
 * meanwhile. `restore` makes the backoff sleep interruptible inside an uninterruptible region.
 *
 * @category combinators
 * @since 0.3.0
 */
export const persistPair = (
  store: TokenStoreShape,
  current: StoredToken,
  next: TokenSet,
  onPersistFailed: ((error: StoreError, attempt: number) => Effect.Effect<void>) | undefined,
  restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
): Effect.Effect<StoredToken, ReauthorizeRequiredError> => {
  const removed = () =>
    new ReauthorizeRequiredError({
      id: current.id,
      reason: REMOVED_WHILE_REFRESHING,
    });
  const attemptWrite = (attempt: number): Effect.Effect<StoredToken, ReauthorizeRequiredError> =>
    store.compareAndSet(current.id, current.generation, next).pipe(
      Effect.flatMap((result) =>
        result._tag === "Written"
          ? Effect.succeed(result.stored)
          : Option.match(result.current, {
              onNone: () => Effect.fail(removed()),
              onSome: Effect.succeed,
            }),
      ),
      Effect.catchTag("StoreError", (error) =>
        Effect.gen(function* () {
          yield* onPersistFailed?.(error, attempt) ?? Effect.void;
          const random = yield* Random.next;
          yield* restore(Effect.sleep(Duration.millis(delayFor(attempt, PERSIST_BACKOFF, random))));
          return yield* attemptWrite(attempt + 1);
        }),
      ),
    );
  return attemptWrite(1);
};
