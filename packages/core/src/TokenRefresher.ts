/**
 * The safe refresh protocol. Miro rotates the refresh token on every refresh, so a refresh is
 * destructive: two refreshes of one token, or a new pair that is lost before it is stored, can
 * lose access for good. Every refresh therefore goes:
 *
 * 1. single-flight per token id in this process (callers that arrive while a refresh is in
 *    flight wait for its result), then the store's lock (`withLock`) across processes;
 * 2. re-read the store: if it holds a newer generation than the caller saw, someone else
 *    refreshed — return theirs without a network call;
 * 3. record a refresh intent in the store (see `RefreshIntents.ts`), durably, then
 *    `TokenClient.refresh` (core retries an ambiguous failure at most once, with the same
 *    refresh token). An intent already there for this generation means an earlier refresh
 *    crashed or timed out: its outcome is unknown, and this refresh resolves it — first by
 *    probing the stored access token while it has not expired (Miro calls it invalid: the
 *    refresh token is not sent, the outcome was lost; a transient probe failure fails this
 *    refresh, to be retried, with nothing sent), then by trying the refresh token once;
 * 4. compare-and-set the new pair as the next generation (`PersistPair.ts`). A `Conflict` means another writer
 *    won: theirs is returned, ours is never written over it. A `StoreError` keeps the new pair
 *    in memory and retries the write with backoff (reporting each failure); the old refresh
 *    token is never presented again;
 * 5. only then hand out the new token.
 *
 * A rejected grant (`InvalidGrantError`) or an ambiguous refresh (`RefreshOutcomeUnknownError`)
 * ends in {@link ReauthorizeRequiredError}, and that generation of the token is never sent to
 * Miro again: the verdict is recorded on the entry's intent (`refused`), which every refresher
 * of the store reads first, in any process. When the pair may have been rotated and lost (an ambiguous
 * refresh, or a rejected grant while resolving an intent) the reason is
 * `"refresh outcome lost"`. Steps 3–4 run uninterruptibly, so stopping a watcher cannot
 * drop a pair Miro has already issued; only the backoff between failed writes is interruptible.
 *
 * @since 0.1.0
 */

import type { Redacted } from "effect";
import { Clock, Context, Deferred, Duration, Effect, Exit, Layer, Option } from "effect";
import type { MiroTokenError, StoreError } from "./Errors.ts";
import { ReauthorizeRequiredError } from "./errors/ReauthorizeRequiredError.ts";
import { persistPair } from "./PersistPair.ts";
import {
  deadGrantReason,
  probeLostOutcome,
  REFRESH_OUTCOME_LOST,
  type RefusedGrant,
  recordIntent,
  recordRefused,
  refusedGrant,
} from "./RefreshIntents.ts";
import { NOT_IN_STORE, REMOVED_WHILE_REFRESHING } from "./StoreAbsence.ts";
import { TokenClient, type TokenClientShape } from "./TokenClient.ts";
import { summarizeFailure } from "./TokenStatus.ts";
import {
  type StoredToken,
  TokenStore,
  type TokenStoreShape,
  unresolvedIntent,
} from "./TokenStore.ts";

/**
 * What a refresh can fail with.
 *
 * @category models
 * @since 0.1.0
 */
export type RefreshError = ReauthorizeRequiredError | MiroTokenError;

/**
 * Per-call options.
 *
 * @category models
 * @since 0.1.0
 */
export interface RefreshOptions {
  /** Told about each failed write of a new pair, before the write is retried. */
  readonly onPersistFailed?:
    | ((error: StoreError, attempt: number) => Effect.Effect<void>)
    | undefined;
}

/**
 * The refresher.
 *
 * @category models
 * @since 0.1.0
 */
export interface TokenRefresherShape {
  /**
   * The token after a refresh: the store's entry if it is newer than `seenGeneration`, else a
   * freshly refreshed and persisted one.
   */
  readonly refresh: (
    id: string,
    seenGeneration: number,
    options?: RefreshOptions,
  ) => Effect.Effect<StoredToken, RefreshError>;
  /**
   * An access token that stays valid for at least `minValidity` (default 5 minutes),
   * refreshing first when the stored one would not.
   */
  readonly accessToken: (
    id: string,
    options?: { readonly minValidity?: Duration.Input | undefined },
  ) => Effect.Effect<Redacted.Redacted<string>, RefreshError>;
}

/**
 * Default `minValidity` of {@link TokenRefresherShape.accessToken}.
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_MIN_VALIDITY: Duration.Duration = Duration.minutes(5);

/**
 * Build a refresher over a store and a client. Single-flight holds per refresher: share one
 * per store in a process (the {@link TokenRefresher} layer, or {@link refresherFor}).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRefresher = (
  store: TokenStoreShape,
  client: TokenClientShape,
): TokenRefresherShape => {
  /** Refreshes in flight; `undefined` once settled by an interruption (callers then retry). */
  const inFlight = new Map<
    string,
    Deferred.Deferred<Exit.Exit<StoredToken, RefreshError> | undefined>
  >();
  /** Generation whose grant is dead, per id, and why (also recorded in the store). */
  const dead = new Map<string, RefusedGrant & { readonly generation: number }>();

  const reauthorize = (id: string, reason: string, status?: number) =>
    new ReauthorizeRequiredError({ id, reason, ...(status === undefined ? {} : { status }) });

  const readStored = (id: string): Effect.Effect<StoredToken, RefreshError> =>
    Effect.flatMap(store.get(id), (stored) =>
      Option.match(stored, {
        onNone: () => Effect.fail(reauthorize(id, NOT_IN_STORE)),
        onSome: Effect.succeed,
      }),
    );

  /** Steps 2–4, holding the store's lock. */
  const underLock = (
    id: string,
    seenGeneration: number,
    options: RefreshOptions,
  ): Effect.Effect<StoredToken, RefreshError> =>
    Effect.gen(function* () {
      const current = yield* readStored(id);
      if (current.generation > seenGeneration) return current;
      const known = dead.get(id);
      if (known !== undefined && known.generation === current.generation) {
        return yield* reauthorize(id, known.reason, known.status);
      }
      const recorded = refusedGrant(current);
      if (recorded !== undefined) {
        dead.set(id, { generation: current.generation, ...recorded });
        return yield* reauthorize(id, recorded.reason, recorded.status);
      }
      if (current.tokenSet.refreshToken === undefined) {
        return yield* reauthorize(id, "no refresh token");
      }
      const resolvingIntent = unresolvedIntent(current) !== undefined;
      if (resolvingIntent) {
        const probe = yield* probeLostOutcome(client, current);
        if (probe._tag === "lost") {
          return yield* refused(current, { reason: REFRESH_OUTCOME_LOST, status: probe.status });
        }
      }
      return yield* Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          if (!(yield* recordIntent(store, current))) return yield* moved(current);
          return yield* client.refresh(current.tokenSet).pipe(
            Effect.catch((error) => onRefreshFailure(current, error, resolvingIntent)),
            Effect.flatMap((next) =>
              persistPair(store, current, next, options.onPersistFailed, restore),
            ),
          );
        }),
      );
    });

  /** The entry changed between the read and the intent: hand out what is there now. */
  const moved = (current: StoredToken): Effect.Effect<StoredToken, RefreshError> =>
    Effect.flatMap(readStored(current.id), (now) =>
      now.generation > current.generation
        ? Effect.succeed(now)
        : Effect.fail(reauthorize(current.id, REMOVED_WHILE_REFRESHING)),
    );

  const onRefreshFailure = (
    current: StoredToken,
    error: MiroTokenError,
    resolvingIntent: boolean,
  ): Effect.Effect<never, RefreshError> => {
    const reason = deadGrantReason(error, resolvingIntent);
    if (reason === undefined) return Effect.fail(error);
    const { status } = summarizeFailure(error);
    return refused(current, { reason, ...(status === undefined ? {} : { status }) });
  };

  /** The grant of `current`'s generation is dead: remembered here and recorded in the store. */
  const refused = (
    current: StoredToken,
    verdict: RefusedGrant,
  ): Effect.Effect<never, ReauthorizeRequiredError> => {
    dead.set(current.id, { generation: current.generation, ...verdict });
    return Effect.andThen(
      recordRefused(store, current, verdict),
      Effect.fail(reauthorize(current.id, verdict.reason, verdict.status)),
    );
  };

  const refresh = (
    id: string,
    seenGeneration: number,
    options: RefreshOptions = {},
  ): Effect.Effect<StoredToken, RefreshError> =>
    Effect.suspend(() => {
      const pending = inFlight.get(id);
      if (pending !== undefined) {
        return Effect.flatMap(Deferred.await(pending), (exit) =>
          exit === undefined ? refresh(id, seenGeneration, options) : exit,
        );
      }
      const settled = Deferred.makeUnsafe<Exit.Exit<StoredToken, RefreshError> | undefined>();
      inFlight.set(id, settled);
      return store.withLock(id, underLock(id, seenGeneration, options)).pipe(
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            inFlight.delete(id);
            return Deferred.succeed(settled, Exit.hasInterrupts(exit) ? undefined : exit);
          }),
        ),
      );
    });

  const accessToken: TokenRefresherShape["accessToken"] = (id, options = {}) =>
    Effect.gen(function* () {
      const stored = yield* readStored(id);
      const { expiresAt, accessToken: token } = stored.tokenSet;
      if (expiresAt === undefined) return token;
      const now = yield* Clock.currentTimeMillis;
      const minValidity = Duration.toMillis(
        Duration.fromInputUnsafe(options.minValidity ?? DEFAULT_MIN_VALIDITY),
      );
      if (expiresAt - now > minValidity) return token;
      const fresh = yield* refresh(id, stored.generation);
      return fresh.tokenSet.accessToken;
    });

  return { refresh, accessToken };
};

const shared = new WeakMap<TokenStoreShape, WeakMap<TokenClientShape, TokenRefresherShape>>();

/**
 * The refresher for this store and client, one per pair in the process, so every watcher and
 * caller of the same store shares single-flight.
 *
 * @category constructors
 * @since 0.1.0
 */
export const refresherFor = (
  store: TokenStoreShape,
  client: TokenClientShape,
): TokenRefresherShape => {
  let byClient = shared.get(store);
  if (byClient === undefined) {
    byClient = new WeakMap();
    shared.set(store, byClient);
  }
  let refresher = byClient.get(client);
  if (refresher === undefined) {
    refresher = makeRefresher(store, client);
    byClient.set(client, refresher);
  }
  return refresher;
};

/**
 * The refresher service.
 *
 * @category services
 * @since 0.1.0
 */
export class TokenRefresher extends Context.Service<TokenRefresher, TokenRefresherShape>()(
  "@miro-token/core/TokenRefresher",
) {
  /**
   * The shared refresher of the `TokenStore` and `TokenClient` in context.
   *
   * @since 0.1.0
   */
  static layer: Layer.Layer<TokenRefresher, never, TokenStore | TokenClient> = Layer.effect(
    TokenRefresher,
    Effect.gen(function* () {
      return TokenRefresher.of(refresherFor(yield* TokenStore, yield* TokenClient));
    }),
  );
}
