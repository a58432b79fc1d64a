/**
 * One in-process mutex per key (a token id, a lock file), for the stores' `withLock`: work on
 * one key runs one at a time, different keys run in parallel. A key's mutex lives only while
 * someone holds or waits for it, so a store that has locked a million ids over its life does
 * not keep a million semaphores. The memory, file and PostgreSQL stores all take it from here.
 *
 * @since 0.3.0
 */
import { Effect, Semaphore } from "effect";

/**
 * Mutexes by key.
 *
 * @category models
 * @since 0.3.0
 */
export interface KeyedLock {
  /** Run `effect` holding `key`'s mutex (waiting for it first). */
  readonly withLock: <A, E, R>(
    key: string,
    effect: Effect.Effect<A, E, R>,
  ) => Effect.Effect<A, E, R>;
  /** How many keys are held or waited for now. */
  readonly size: () => number;
}

/**
 * A new set of mutexes by key.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeKeyedLock = (): KeyedLock => {
  const entries = new Map<string, { readonly mutex: Semaphore.Semaphore; users: number }>();
  const release = (key: string, entry: { users: number }) =>
    Effect.sync(() => {
      entry.users -= 1;
      if (entry.users === 0) entries.delete(key);
    });
  return {
    withLock: (key, effect) =>
      Effect.suspend(() => {
        let entry = entries.get(key);
        if (entry === undefined) {
          entry = { mutex: Semaphore.makeUnsafe(1), users: 0 };
          entries.set(key, entry);
        }
        entry.users += 1;
        return entry.mutex
          .withPermits(1)(effect)
          .pipe(Effect.ensuring(release(key, entry)));
      }),
    size: () => entries.size,
  };
};
