/**
 * A store's change feed in memory: `publish` tells every running `changes()` stream about a
 * write or a delete. The memory store reports its own operations through it; a store that
 * learns of changes some other way (a listener, a callback API) can use it the same way.
 *
 * @since 0.3.0
 */
import { Effect, Queue, Stream } from "effect";
import type { StoreChange } from "./TokenStore.ts";

/**
 * @category models
 * @since 0.3.0
 */
export interface StoreChangeFeed {
  readonly publish: (change: StoreChange) => void;
  /** The changes published while the stream runs. */
  readonly changes: () => Stream.Stream<StoreChange>;
}

/**
 * A feed with no listener yet.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeStoreChangeFeed = (): StoreChangeFeed => {
  const listeners = new Set<(change: StoreChange) => void>();
  return {
    publish: (change) => {
      for (const listener of listeners) listener(change);
    },
    changes: () =>
      Stream.callback<StoreChange>((queue) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const listener = (change: StoreChange) => Queue.offerUnsafe(queue, change);
            listeners.add(listener);
            return listener;
          }),
          (listener) => Effect.sync(() => listeners.delete(listener)),
        ),
      ),
  };
};
