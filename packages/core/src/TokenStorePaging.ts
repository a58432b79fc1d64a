/**
 * Reading a store in pages, whatever the store: `pageOf` uses the store's own `page` when it
 * has one and derives a page from `list` otherwise, and `storedTokens` streams every entry page
 * by page — so a caller walking 100k tokens in a PostgreSQL store never holds them all at once,
 * and the same code still works on the memory and file stores.
 *
 * @since 0.1.0
 */
import { Effect, Option, Stream } from "effect";
import type { StoreError } from "./errors/StoreError.ts";
import type { StoredToken, TokenStorePageOptions, TokenStoreShape } from "./TokenStore.ts";

const byId = (a: StoredToken, b: StoredToken): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One page of `store`: its own `page` when it has one, otherwise a page cut from `list`
 * (sorted by id, code-unit order).
 *
 * @category paging
 * @since 0.1.0
 */
export const pageOf = (
  store: TokenStoreShape,
  options: TokenStorePageOptions,
): Effect.Effect<ReadonlyArray<StoredToken>, StoreError> =>
  store.page !== undefined
    ? store.page(options)
    : Effect.map(store.list(), (all) =>
        all
          .filter((entry) => options.after === undefined || entry.id > options.after)
          .sort(byId)
          .slice(0, Math.max(0, options.limit)),
      );

/**
 * Every entry of `store`, streamed in pages of `pageSize` (default 500). A store without
 * `page` is read with one `list` call.
 *
 * @category paging
 * @since 0.1.0
 */
export const storedTokens = (
  store: TokenStoreShape,
  options: { readonly pageSize?: number | undefined } = {},
): Stream.Stream<StoredToken, StoreError> => {
  const page = store.page;
  if (page === undefined) {
    return Stream.fromEffect(store.list()).pipe(Stream.flatMap(Stream.fromIterable));
  }
  const limit = Math.max(1, options.pageSize ?? 500);
  return Stream.paginate(undefined as string | undefined, (after) =>
    Effect.map(page({ after, limit }), (entries) => {
      const last = entries.at(-1);
      return [
        entries,
        entries.length < limit || last === undefined ? Option.none() : Option.some(last.id),
      ] as const;
    }),
  );
};
