/**
 * The watcher: a token's life as an Effect `Stream` of {@link TokenStatus}, for one token or
 * for every token of a store. What a token does next is planned by a pure function
 * (`WatchPlan.ts`) and run by a thin interpreter (`TokenWatchLoop.ts`): one token sleeps on
 * its own (`watch`); every token of a store shares one due-time heap and a bounded pool of
 * workers (`WatchScheduler.ts`), and follows the store's change stream when it has one
 * (`WatchFollow.ts`) instead of re-reading an entry before each probe. A status is emitted
 * only when it changed (plus an optional heartbeat); a terminal status ends a token's watch;
 * interrupting the stream interrupts every worker (an in-flight refresh still persists
 * first). Time comes only from the Effect `Clock` (TestClock drives it in tests).
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option, Queue, Redacted, Stream } from "effect";
import { fingerprint } from "./Fingerprint.ts";
import { makeMemoryStore } from "./MemoryStore.ts";
import { MiroConfig } from "./MiroConfig.ts";
import { makeRequestBudget } from "./RequestBudget.ts";
import { TokenClient, type TokenClientShape } from "./TokenClient.ts";
import { makeRefresher, refresherFor, type TokenRefresherShape } from "./TokenRefresher.ts";
import type { TokenSet } from "./TokenSet.ts";
import type { TokenStatus } from "./TokenStatus.ts";
import { type StoredToken, TokenStore, type TokenStoreShape } from "./TokenStore.ts";
import { runWatchLoop, type WatchContext, type WatchRecord } from "./TokenWatchLoop.ts";
import { followChanges, rescanInto } from "./WatchFollow.ts";
import { resolveWatchOptions, type WatchOptions } from "./WatchSchedule.ts";
import { makeWatchScheduler } from "./WatchScheduler.ts";

/**
 * A token in a store: `watch` probes it and refreshes it ahead of expiry, writing each rotated
 * pair to the store before it is used.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredWatchInput {
  readonly id: string;
  /** Where each rotated pair is written before it is used: make it durable (`store-file`). */
  readonly store: TokenStoreShape;
}

/**
 * A bare access token or a token set: `watch` only probes it, because without a store a
 * refreshed pair would have nowhere to go.
 *
 * @category models
 * @since 0.1.0
 */
export type ProbedWatchInput = Redacted.Redacted<string> | TokenSet;

/**
 * What `watch` accepts: a token in a store (probed and refreshed), or a bare access token or a
 * token set (probed only).
 *
 * @category models
 * @since 0.1.0
 */
export type WatchInput = StoredWatchInput | ProbedWatchInput;

/**
 * Watch options for a probed-only token: no refresh options, since nothing is refreshed, so a
 * watch that silently lets a token expire is a type error rather than a surprise.
 *
 * @category models
 * @since 0.1.0
 */
export interface ProbeWatchOptions extends Omit<WatchOptions, "refreshWindow" | "refreshJitter"> {
  /**
   * Not accepted without a store: Miro rotates the pair on every refresh, and the new one must
   * be written somewhere durable before it is used. Watch `{ id, store }` to refresh.
   */
  readonly refreshWindow?: never;
  /** Not accepted without a store (see `refreshWindow`). */
  readonly refreshJitter?: never;
}

/**
 * `TokenWatcher.watch`: refresh options only together with a store.
 *
 * @category models
 * @since 0.1.0
 */
export interface Watch {
  (input: StoredWatchInput, options?: WatchOptions): Stream.Stream<TokenStatus, never, TokenClient>;
  (
    input: ProbedWatchInput,
    options?: ProbeWatchOptions,
  ): Stream.Stream<TokenStatus, never, TokenClient>;
}

/**
 * One status of one token of a store.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatchedStatus {
  readonly id: string;
  /** Fingerprint of the access token the status is about (never the token). */
  readonly fingerprint: string;
  readonly generation: number;
  readonly status: TokenStatus;
}

const PRIVATE_ID = "watched-token";

/**
 * Longest a probe is assumed to take when the client's own deadline is not in sight: a refresh
 * due later than this cannot be delayed by a probe, so that probe runs without a timer.
 */
const PROBE_LIMIT_MS = 10 * 60_000;

const contextOf = (
  store: TokenStoreShape,
  client: TokenClientShape,
  refresher: TokenRefresherShape,
  options: WatchOptions,
  followsChanges: boolean,
  emit: WatchContext["emit"],
): Effect.Effect<WatchContext> =>
  Effect.map(Effect.serviceOption(MiroConfig), (config) => {
    const schedule = resolveWatchOptions(options);
    const probeLimit = Option.match(config, {
      onNone: () => PROBE_LIMIT_MS,
      onSome: ({ deadline }) => Duration.toMillis(deadline),
    });
    const budget = makeRequestBudget(schedule.concurrency);
    return { store, client, refresher, schedule, budget, followsChanges, probeLimit, emit };
  });

const sourceOf = (input: WatchInput, client: TokenClientShape) =>
  Effect.gen(function* () {
    if ("store" in input) {
      return { id: input.id, store: input.store, refresher: refresherFor(input.store, client) };
    }
    // Without a store there is nowhere to keep a new pair, and a refresh retires the caller's
    // refresh token: a bare token set is watched, never refreshed.
    const { refreshToken: _retired, ...tokenSet }: TokenSet = Redacted.isRedacted(input)
      ? { accessToken: input, scopes: [] }
      : input;
    const store = yield* makeMemoryStore([{ id: PRIVATE_ID, tokenSet }]);
    return { id: PRIVATE_ID, store, refresher: makeRefresher(store, client) };
  });

/** Watch one token. The stream ends after a terminal status. */
const watch: Watch = (
  input: WatchInput,
  options: WatchOptions = {},
): Stream.Stream<TokenStatus, never, TokenClient> =>
  Stream.callback<TokenStatus, never, TokenClient>((queue) =>
    Effect.gen(function* () {
      const client = yield* TokenClient;
      const { id, store, refresher } = yield* sourceOf(input, client);
      // One token: it reads its entry before each probe instead of following the store.
      const emit = (_: WatchRecord, status: TokenStatus) =>
        Effect.asVoid(Queue.offer(queue, status));
      const ctx = yield* contextOf(store, client, refresher, options, false, emit);
      yield* runWatchLoop(ctx, id);
      yield* Queue.end(queue);
    }),
  );

/** Watch every token of the `TokenStore` (see {@link TokenWatcher}). */
const watchMany = (
  options: WatchOptions = {},
): Stream.Stream<WatchedStatus, never, TokenClient | TokenStore> =>
  Stream.callback<WatchedStatus, never, TokenClient | TokenStore>((queue) =>
    Effect.gen(function* () {
      const client = yield* TokenClient;
      const store = yield* TokenStore;
      const changes = store.changes;
      const emit = (rec: WatchRecord, status: TokenStatus) =>
        Effect.gen(function* () {
          const current = rec.stored as StoredToken;
          if (rec.fingerprint === undefined || rec.fingerprintOf !== current.generation) {
            rec.fingerprint = yield* fingerprint(current.tokenSet.accessToken);
            rec.fingerprintOf = current.generation;
          }
          const { id, fingerprint: value } = rec;
          yield* Queue.offer(queue, {
            id,
            fingerprint: value,
            generation: current.generation,
            status,
          });
        });
      const refresher = refresherFor(store, client);
      const ctx = yield* contextOf(store, client, refresher, options, changes !== undefined, emit);
      // Ids whose watch ended on a terminal status, with the generation it ended on.
      const finished = new Map<string, number>();
      const workers = 2 * ctx.schedule.concurrency;
      // Ids the store reported deleted (and not written since).
      const gone = new Set<string>();
      // A token removed from the store is forgotten when its watch ends (`Stopped`, or any end
      // after the store said it was deleted); if it comes back, even at the same generation, it
      // is watched again.
      const scheduler = yield* makeWatchScheduler(ctx, workers, (rec) => {
        if (rec.status?._tag === "Stopped" || gone.has(rec.id)) finished.delete(rec.id);
        else finished.set(rec.id, rec.stored?.generation ?? 0);
      });
      // Ids the last scan found unreadable.
      const quarantined = new Set<string>();
      const rescan = rescanInto(store, scheduler, finished, quarantined);
      if (changes !== undefined) {
        const known = { finished, quarantined, gone };
        const follow = followChanges(changes, store, scheduler, known, ctx, rescan);
        yield* Effect.forkScoped(follow);
        yield* Effect.yieldNow;
      }
      for (;;) {
        yield* rescan;
        if (changes !== undefined) return yield* Effect.never;
        yield* Effect.sleep(ctx.schedule.rescanInterval);
      }
    }),
  );

/**
 * The watcher's entry points.
 *
 * - `watch(input, options)`: one token. A token in a store (`{ id, store }`) is probed and
 *   refreshed ahead of expiry. A bare access token or a token set is probed only (and reported
 *   `Expiring`, then `Expired`): a refresh retires the refresh token, and without a store the
 *   new pair would have nowhere to go. The stream ends after a terminal status.
 * - `watchMany(options)`: every token of the `TokenStore`, picking up tokens added to or
 *   removed from it: from the store's `changes` stream when it has one (re-scanned only when
 *   it asks for a `Resync`), else re-scanned every `rescanInterval`. An entry the store reports unreadable
 *   (`scan`'s `unreadable`) is quarantined: its loop stops until the entry reads again. All
 *   tokens share one request budget: `concurrency` requests in flight at most, and one
 *   rate-limit gate per user. A token that reached a terminal status is watched again only once
 *   the store holds a newer generation (it was re-authorized). Events carry the token's id, generation and fingerprint.
 *
 * ```ts
 * const statuses = TokenWatcher.watch(tokenSet, { refreshWindow: "2 minutes" })
 * yield* Stream.runForEach(statuses, (status) => Console.log(status._tag))
 * ```
 *
 * @category watching
 * @since 0.1.0
 */
export const TokenWatcher = { watch, watchMany } as const;
