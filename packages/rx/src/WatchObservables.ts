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
  type ProbedWatchInput,
  type ProbeWatchOptions,
  type StoredWatchInput,
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
 * Options of {@link watchToken$} for a stored token: the watch options (`refreshWindow`,
 * `refreshJitter` included) plus the layer that provides the `TokenClient` (a transport and
 * `MiroConfig` under `TokenClient.layer`).
 *
 * @category models
 * @since 0.1.0
 */
export interface WatchToken$Options<LE = never> extends WatchOptions {
  readonly layer: Layer.Layer<TokenClient, LE>;
}

/**
 * Options of {@link watchToken$} for a probed-only token: core's `ProbeWatchOptions` (no
 * refresh options, because nothing is refreshed) plus the layer.
 *
 * @category models
 * @since 0.1.0
 */
export interface ProbeToken$Options<LE = never> extends ProbeWatchOptions {
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
 * The status of one token. A stored token (`{ id, store }`) is probed and refreshed ahead of
 * expiry, each rotated pair written to the store before it is used. A bare token or a token
 * set is probed only (reported `Expiring`, then `Expired`): a refresh retires the refresh token,
 * and without a store the new pair would have nowhere to go, so refresh options are refused
 * there by the types. Completes after a terminal status (`Invalid`, `Revoked`,
 * `ReauthorizeRequired`, ...).
 *
 * @category watching
 * @since 0.1.0
 */
export function watchToken$<LE = never>(
  input: StoredWatchInput,
  options: WatchToken$Options<LE>,
): Observable<TokenStatus>;
export function watchToken$<LE = never>(
  input: ProbedWatchInput,
  options: ProbeToken$Options<LE>,
): Observable<TokenStatus>;
export function watchToken$<LE = never>(
  input: WatchInput,
  options: WatchToken$Options<LE> | ProbeToken$Options<LE>,
): Observable<TokenStatus> {
  const { layer, ...watchOptions } = options;
  // The overloads above already matched options to input; core's overloads check it again.
  const statuses =
    "store" in input
      ? TokenWatcher.watch(input, watchOptions)
      : TokenWatcher.watch(input, watchOptions as ProbeWatchOptions);
  return replayLatest(toObservable(statuses, layer));
}

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
