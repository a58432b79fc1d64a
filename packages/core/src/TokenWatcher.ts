/**
 * The watcher: a token's life as an Effect `Stream` of {@link TokenStatus}, for one token or
 * for every token of a store. Each token runs in its own loop ({@link runWatchLoop}); a status
 * is emitted only when it changed (plus an optional heartbeat); a terminal status ends a
 * token's stream; interrupting the stream interrupts every loop (an in-flight refresh still
 * persists first). Time comes only from the Effect `Clock` (TestClock drives it in tests).
 *
 * @since 0.1.0
 */
import { Effect, Fiber, Queue, Redacted, Result, Stream } from "effect";
import { fingerprint } from "./Fingerprint.ts";
import { makeRequestBudget } from "./RequestBudget.ts";
import { TokenClient, type TokenClientShape } from "./TokenClient.ts";
import { makeRefresher, refresherFor } from "./TokenRefresher.ts";
import type { TokenSet } from "./TokenSet.ts";
import type { TokenStatus } from "./TokenStatus.ts";
import {
  makeMemoryStore,
  type StoredToken,
  scanStore,
  TokenStore,
  type TokenStoreShape,
} from "./TokenStore.ts";
import { runWatchLoop } from "./TokenWatchLoop.ts";
import { resolveWatchOptions, type WatchOptions } from "./WatchSchedule.ts";

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
      const schedule = resolveWatchOptions(options);
      const source = yield* sourceOf(input, client);
      yield* runWatchLoop({
        ...source,
        client,
        schedule,
        budget: makeRequestBudget(schedule.concurrency),
        spreadStart: false,
        emit: (status) => Effect.asVoid(Queue.offer(queue, status)),
      });
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
      const schedule = resolveWatchOptions(options);
      const budget = makeRequestBudget(schedule.concurrency);
      const refresher = refresherFor(store, client);
      const scope = yield* Effect.scope;
      // id → its loop's fiber (undefined for the instant between marking and forking).
      const running = new Map<string, Fiber.Fiber<unknown> | undefined>();
      const finished = new Map<string, number>();
      const fingerprints = new Map<
        string,
        { readonly generation: number; readonly value: string }
      >();
      const fingerprintOf = (stored: StoredToken) =>
        Effect.gen(function* () {
          const known = fingerprints.get(stored.id);
          if (known?.generation === stored.generation) return known.value;
          const value = yield* fingerprint(stored.tokenSet.accessToken);
          fingerprints.set(stored.id, { generation: stored.generation, value });
          return value;
        });
      const start = (entry: StoredToken) =>
        runWatchLoop({
          id: entry.id,
          store,
          client,
          refresher,
          schedule,
          budget,
          spreadStart: true,
          emit: (status, stored) =>
            Effect.gen(function* () {
              const current = stored ?? entry;
              const value = yield* fingerprintOf(current);
              const event = {
                id: entry.id,
                fingerprint: value,
                generation: current.generation,
                status,
              };
              yield* Queue.offer(queue, event);
            }),
        }).pipe(
          Effect.tap((generation) => Effect.sync(() => finished.set(entry.id, generation))),
          Effect.ensuring(Effect.sync(() => running.delete(entry.id))),
          Effect.forkIn(scope),
        );
      for (;;) {
        const scanned = yield* Effect.result(scanStore(store));
        if (Result.isSuccess(scanned)) {
          const { entries, unreadable } = scanned.success;
          const ids = new Set(entries.map((entry) => entry.id));
          for (const id of finished.keys()) if (!ids.has(id)) finished.delete(id);
          for (const id of fingerprints.keys()) if (!ids.has(id)) fingerprints.delete(id);
          // An entry that became unreadable is quarantined: its loop stops (it would flap
          // between a failed read and a probe of the token it still holds) and starts again
          // once the entry reads.
          for (const { id } of unreadable) {
            const fiber = running.get(id);
            if (fiber !== undefined) yield* Effect.forkIn(Fiber.interrupt(fiber), scope);
          }
          for (const entry of entries) {
            if (running.has(entry.id)) continue;
            if ((finished.get(entry.id) ?? 0) >= entry.generation) continue;
            running.set(entry.id, undefined);
            const fiber = yield* start(entry);
            // A loop that already ended (and removed itself) must not be marked running again.
            if (running.has(entry.id)) running.set(entry.id, fiber);
          }
        }
        yield* Effect.sleep(schedule.rescanInterval);
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
 *   removed from it (re-scanned every `rescanInterval`). An entry the store reports unreadable
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
