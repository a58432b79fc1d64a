/**
 * The in-memory token store: the reference implementation of the seam in `TokenStore.ts`, used
 * by `TokenWatcher.watch` for a single token and by tests and scenarios. Nothing survives the
 * process; `@miro-token/store-file` and `@miro-token/store-postgres` are the durable stores.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect";
import { makeKeyedLock } from "./KeyedLock.ts";
import { makeMemoryOutbox } from "./Outbox.ts";
import { makeStoreChangeFeed } from "./StoreChangeFeed.ts";
import type { TokenSet } from "./TokenSet.ts";
// Types only: `TokenStore.ts` imports this module for `TokenStore.layerMemory`.
import type {
  CompareAndSetResult,
  StoredToken,
  TokenStore,
  TokenStoreShape,
} from "./TokenStore.ts";

/**
 * Build an in-memory {@link TokenStore}. Each operation is one synchronous step, so a
 * compare-and-set is atomic without a lock of its own. Its `changes` reports every write
 * (`recordRefreshIntent` too, as `Written` with the same generation) and every delete to each
 * stream running at the time.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemoryStore = (
  initial: ReadonlyArray<{ readonly id: string; readonly tokenSet: TokenSet }>,
): Effect.Effect<TokenStoreShape> =>
  Effect.sync(() => {
    const entries = new Map<string, StoredToken>(
      initial.map(({ id, tokenSet }) => [id, { id, generation: 1, tokenSet, updatedAt: 0 }]),
    );
    const locks = makeKeyedLock();
    const { publish, changes } = makeStoreChangeFeed();
    const store: TokenStoreShape = {
      get: (id) => Effect.sync(() => Option.fromNullishOr(entries.get(id))),
      list: () => Effect.sync(() => [...entries.values()]),
      // Memory holds decoded values only: nothing in it can be unreadable.
      scan: () => Effect.sync(() => ({ entries: [...entries.values()], unreadable: [] })),
      compareAndSet: (id, expectedGeneration, next) =>
        Effect.clockWith((clock) =>
          Effect.sync((): CompareAndSetResult => {
            const current = entries.get(id);
            if ((current?.generation ?? 0) !== expectedGeneration) {
              return { _tag: "Conflict", current: Option.fromNullishOr(current) };
            }
            const stored: StoredToken = {
              id,
              generation: expectedGeneration + 1,
              tokenSet: next,
              updatedAt: clock.currentTimeMillisUnsafe(),
            };
            entries.set(id, stored);
            publish({ _tag: "Written", id, generation: stored.generation });
            return { _tag: "Written", stored };
          }),
        ),
      delete: (id) =>
        Effect.sync(() => {
          if (entries.delete(id)) publish({ _tag: "Deleted", id });
        }),
      recordRefreshIntent: (id, intent) =>
        Effect.sync(() => {
          const current = entries.get(id);
          if (current?.generation !== intent.generation) return false;
          entries.set(id, { ...current, refreshIntent: intent });
          publish({ _tag: "Written", id, generation: current.generation });
          return true;
        }),
      withLock: locks.withLock,
      outbox: makeMemoryOutbox(),
      changes,
    };
    return store;
  });
