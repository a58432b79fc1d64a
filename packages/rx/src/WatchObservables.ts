/**
 * Token status streams as rxjs Observables, for apps that react to a token's life without
 * writing Effect: `watchToken$` for one token, `watchStore$` for every token of a store, and
 * `latestByToken` to fold a store's events into a live snapshot.
 *
 * The watch starts with the first subscriber and stops when the last one leaves
 * (`shareReplay({bufferSize: 1, refCount: true})`); a late subscriber gets the latest status
 * at once, without another request to Miro.
 *
 * @since 0.1.0
 */
import {
  type TokenClient,
  type TokenStatus,
  type TokenStore,
  TokenWatcher,
  type WatchedStatus,
  type WatchInput,
  type WatchOptions,
} from "@miro-token/core";
import type { Layer } from "effect";
import { type Observable, type OperatorFunction, scan, shareReplay } from "rxjs";
import { toObservable } from "./ToObservable.ts";

/**
 * Options of {@link watchToken$}: the watch options plus the layer that provides the
 * `TokenClient` (a transport and `MiroConfig` under `TokenClient.layer`).
 *
 * @category models
 * @since 0.1.0
 */
export interface WatchToken$Options<LE = never> extends WatchOptions {
  readonly layer: Layer.Layer<TokenClient, LE>;
}

/**
 * Options of {@link watchStore$}: the watch options plus a layer that provides the
 * `TokenClient` and the `TokenStore` to watch.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatchStore$Options<LE = never> extends WatchOptions {
  readonly layer: Layer.Layer<TokenClient | TokenStore, LE>;
}

const replayLatest = <A>(source: Observable<A>): Observable<A> =>
  source.pipe(shareReplay({ bufferSize: 1, refCount: true }));

/**
 * The status of one token (a bare token is probed only; a token set or a store entry is also
 * refreshed ahead of expiry). Completes after a terminal status (`Invalid`, `Revoked`,
 * `ReauthorizeRequired`, ...).
 *
 * @category watching
 * @since 0.1.0
 */
export const watchToken$ = <LE = never>(
  input: WatchInput,
  options: WatchToken$Options<LE>,
): Observable<TokenStatus> => {
  const { layer, ...watchOptions } = options;
  return replayLatest(toObservable(TokenWatcher.watch(input, watchOptions), layer));
};

/**
 * Status changes of every token in the store, tagged with the token's id, generation and
 * fingerprint (never the token). Tokens added to or removed from the store are picked up.
 *
 * @category watching
 * @since 0.1.0
 */
export const watchStore$ = <LE = never>(
  options: WatchStore$Options<LE>,
): Observable<WatchedStatus> => {
  const { layer, ...watchOptions } = options;
  return replayLatest(toObservable(TokenWatcher.watchMany(watchOptions), layer));
};

/**
 * Folds store events into the latest status per token id: pipe `watchStore$(...)` through it
 * (and `shareReplay(1)`) to hand every subscriber the whole picture, not just the last event.
 *
 * @category operators
 * @since 0.1.0
 */
export const latestByToken = (): OperatorFunction<
  WatchedStatus,
  ReadonlyMap<string, WatchedStatus>
> =>
  scan(
    (snapshot: ReadonlyMap<string, WatchedStatus>, event: WatchedStatus) =>
      new Map(snapshot).set(event.id, event),
    new Map<string, WatchedStatus>(),
  );
