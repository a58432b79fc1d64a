/**
 * The token store seam: where token sets live between refreshes. A refresh rotates the refresh
 * token, so the store is the one source of truth: writers compare-and-set on a generation
 * number, and `withLock` serialises refreshes of one token (in process for the memory store,
 * across processes for `@miro-token/store-file`).
 *
 * `compareAndSet` reports a lost race as a `Conflict` result, not an error: losing a race is an
 * expected outcome that the caller answers by re-reading, like a CPU's compare-and-swap.
 *
 * `scan` (optional, so every existing store still fits) lists what `list` lists but reports an
 * entry the store holds and cannot read — a corrupt file, a row that no longer decodes — as
 * {@link UnreadableEntry} instead of failing the whole listing: one bad entry must not stop a
 * watcher over thousands of good ones. {@link scanStore} falls back to `list` for stores
 * without it.
 *
 * The memory store is in `MemoryStore.ts`.
 *
 * `recordRefreshIntent` marks an entry, without a new generation, as about to be refreshed
 * (see `RefreshIntents.ts`): the refresher's record of the window in which Miro may have
 * rotated the refresh token but the new pair is not stored yet.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, type Option, Schema, type Stream } from "effect";
import type { StoreError } from "./Errors.ts";
import { makeMemoryStore } from "./MemoryStore.ts";
import type { TokenOutbox } from "./Outbox.ts";
import { TokenSet } from "./TokenSet.ts";

/**
 * A refresh about to be sent, recorded durably before the request leaves: which refresh token
 * (the generation that holds it: each generation holds exactly one — never the token) and
 * when. Miro rotates
 * on receipt, so a process that dies (or times out) between sending and storing the new pair
 * leaves this behind: the next refresh of that generation knows its outcome was lost.
 *
 * Once a refresher learns that this generation's grant is dead (Miro refused its refresh
 * token, or the probe found its outcome lost), it records that here as `refused`: every
 * refresher of the store, in any process or fleet replica, then reports the same
 * re-authorization without asking Miro again.
 *
 * @category models
 * @since 0.1.0
 */
export const RefreshIntent = Schema.Struct({
  /** The generation whose refresh token is being presented. */
  generation: Schema.Number,
  /** Epoch ms when the refresh was about to be sent. */
  startedAt: Schema.Number,
  /**
   * Set when this generation's grant is known dead: the re-authorize reason and, when Miro
   * answered, its HTTP status. The refresh token is never presented again.
   *
   * @since 0.4.0
   */
  refused: Schema.optionalKey(
    Schema.Struct({ reason: Schema.String, status: Schema.optionalKey(Schema.Number) }),
  ),
});

/**
 * @category models
 * @since 0.1.0
 */
export type RefreshIntent = typeof RefreshIntent.Type;

/**
 * One stored token set. `generation` starts at 1 and grows by one on every write.
 *
 * @category models
 * @since 0.1.0
 */
export const StoredToken = Schema.Struct({
  id: Schema.String,
  generation: Schema.Number,
  tokenSet: TokenSet,
  /** Epoch ms of the last write. */
  updatedAt: Schema.Number,
  /**
   * The refresh under way (or lost) for this generation, if any: written by
   * `recordRefreshIntent`, dropped by every `compareAndSet` (a new generation has none).
   */
  refreshIntent: Schema.optionalKey(RefreshIntent),
});

/**
 * @category models
 * @since 0.1.0
 */
export type StoredToken = typeof StoredToken.Type;

/**
 * The outcome of {@link TokenStoreShape.compareAndSet}.
 *
 * @category models
 * @since 0.1.0
 */
export type CompareAndSetResult =
  | { readonly _tag: "Written"; readonly stored: StoredToken }
  | { readonly _tag: "Conflict"; readonly current: Option.Option<StoredToken> };

/**
 * Which page {@link TokenStoreShape.page} reads: ids after `after`, at most `limit` of them.
 *
 * @category models
 * @since 0.1.0
 */
export interface TokenStorePageOptions {
  readonly after?: string | undefined;
  readonly limit: number;
}

/**
 * An entry a store holds but cannot read: named by where it is, never by what it holds.
 *
 * @category models
 * @since 0.1.0
 */
export interface UnreadableEntry {
  /** The token id the entry belongs to (the file store reads it from the file name). */
  readonly id: string;
  /** Where the entry is, for a person to find it: a file name, a row key. */
  readonly location: string;
  /** Why it cannot be read: a short fixed text, never the entry's contents. */
  readonly reason: string;
}

/**
 * The outcome of {@link TokenStoreShape.scan}: the readable entries, and the rest.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoreScan {
  readonly entries: ReadonlyArray<StoredToken>;
  readonly unreadable: ReadonlyArray<UnreadableEntry>;
}

/**
 * A change to a store's entries, as the store itself reports it (see `TokenStoreShape.changes`):
 * an entry written (a new generation), an entry deleted, or `Resync` when changes may have been
 * missed (a reconnect, an overflowed watch) and the listing must be read again.
 *
 * `handover` marks an entry that is not new but newly this reader's: a fleet replica taking a
 * token over from another. A watch spreads the first probes of such entries over one interval,
 * as it does for a scan's, instead of sending them all at once (a replica that takes over a
 * third of a fleet would otherwise probe them in one burst, and keep them bunched).
 *
 * @category models
 * @since 0.3.0
 */
export type StoreChange =
  | {
      readonly _tag: "Written";
      readonly id: string;
      readonly generation: number;
      /** @since 0.4.0 */
      readonly handover?: boolean | undefined;
    }
  | { readonly _tag: "Deleted"; readonly id: string }
  | { readonly _tag: "Resync" };

/**
 * What every store offers.
 *
 * @category models
 * @since 0.1.0
 */
export interface TokenStoreShape {
  readonly get: (id: string) => Effect.Effect<Option.Option<StoredToken>, StoreError>;
  /**
   * Every entry in one array: fine for a few thousand; use `storedTokens` to go further. Fails
   * when one entry cannot be read (see `scan` for a listing that does not).
   */
  readonly list: () => Effect.Effect<ReadonlyArray<StoredToken>, StoreError>;
  /**
   * Every readable entry, plus the entries that cannot be read (quarantined, not fatal).
   * Fails only when the store as a whole cannot be listed. Optional: see {@link scanStore}.
   */
  readonly scan?: (() => Effect.Effect<StoreScan, StoreError>) | undefined;
  /**
   * Optional: one page of entries in the store's id order — up to `limit` entries whose id
   * sorts after `after` (from the start when absent). A store that can read a page without
   * reading everything (PostgreSQL) implements it; `pageOf` and `storedTokens` (see
   * `TokenStorePaging.ts`) derive it from `list` for the others.
   */
  readonly page?: (
    options: TokenStorePageOptions,
  ) => Effect.Effect<ReadonlyArray<StoredToken>, StoreError>;
  /**
   * Write `next` as generation `expectedGeneration + 1` if the stored generation is still
   * `expectedGeneration` (`0` means "not stored yet"); otherwise report the current entry.
   * A `Written` result is durable.
   */
  readonly compareAndSet: (
    id: string,
    expectedGeneration: number,
    next: TokenSet,
  ) => Effect.Effect<CompareAndSetResult, StoreError>;
  readonly delete: (id: string) => Effect.Effect<void, StoreError>;
  /**
   * Record `intent` on the entry if its generation is still `intent.generation`, without
   * changing the generation or the token set; `false` when the entry moved on or is gone.
   * A `true` result is durable. The next `compareAndSet` of the entry drops the intent. (A SQL
   * store: `UPDATE … SET refresh_intent = $intent WHERE id = $id AND generation = $gen`.)
   */
  readonly recordRefreshIntent: (
    id: string,
    intent: RefreshIntent,
  ) => Effect.Effect<boolean, StoreError>;
  /**
   * Run `effect` holding the token's lock: one holder at a time per id.
   *
   * Not re-entrant by contract: `effect` must not take the same id's lock again. The memory
   * store would wait for itself forever; the file store happens to allow it, but code written
   * against this seam must not rely on that.
   */
  readonly withLock: <A, E, R>(
    id: string,
    effect: Effect.Effect<A, E, R>,
  ) => Effect.Effect<A, E | StoreError, R>;
  /**
   * Optional: the durable outbox of status-change events (see `Outbox.ts`), kept beside the
   * tokens so an event is stored as durably as they are. Absent: no webhooks.
   */
  readonly outbox?: TokenOutbox | undefined;
  /**
   * Optional: the changes made to the entries from the moment the stream is run, by this
   * process or any other using the same store (the file store from its directory, PostgreSQL
   * with LISTEN/NOTIFY), so a watcher notices a token added, rotated or removed without reading
   * every entry. Absent: a watcher rescans on its interval.
   */
  readonly changes?: (() => Stream.Stream<StoreChange, StoreError>) | undefined;
}

/**
 * Scan `store`: its own `scan` when it has one, else `list` with nothing unreadable.
 *
 * @category combinators
 * @since 0.1.0
 */
export const scanStore = (store: TokenStoreShape): Effect.Effect<StoreScan, StoreError> =>
  store.scan?.() ?? Effect.map(store.list(), (entries) => ({ entries, unreadable: [] }));

/**
 * The token store service.
 *
 * @category services
 * @since 0.1.0
 */
export class TokenStore extends Context.Service<TokenStore, TokenStoreShape>()(
  "@miro-token/core/TokenStore",
) {
  /**
   * An in-memory store (one process): for tests, scripts and apps that keep tokens elsewhere.
   *
   * @category layers
   * @since 0.1.0
   */
  static readonly layerMemory = (
    initial: ReadonlyArray<{ readonly id: string; readonly tokenSet: TokenSet }> = [],
  ): Layer.Layer<TokenStore> => Layer.effect(TokenStore, makeMemoryStore(initial));
}

/**
 * The entry's refresh intent when it is still unresolved: recorded for the generation the
 * entry holds now (a newer generation means that refresh was stored).
 *
 * @category accessors
 * @since 0.1.0
 */
export const unresolvedIntent = (stored: StoredToken): RefreshIntent | undefined =>
  stored.refreshIntent?.generation === stored.generation ? stored.refreshIntent : undefined;
