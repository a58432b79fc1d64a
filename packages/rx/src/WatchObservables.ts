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
  type TokenSet,
  type TokenStatus,
  type TokenStore,
  type TokenStoreShape,
  TokenWatcher,
  type WatchedStatus,
  type WatchOptions,
} from "@miro-token/core";
import type { Layer, Redacted } from "effect";
import { type Observable, type OperatorFunction, scan, shareReplay } from "rxjs";
import { toObservable } from "./ToObservable.ts";

/**
 * A token kept in a store, which {@link watchToken$} probes and refreshes ahead of expiry.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredTokenInput {
  readonly id: string;
  /** Where each rotated pair is written before it is used: make it durable (`store-file`). */
  readonly store: TokenStoreShape;
}

/**
 * A token that {@link watchToken$} only probes: a bare access token, or a token set with no
 * store to keep a refreshed pair in.
 *
 * @category models
 * @since 0.1.0
 */
export type ProbedTokenInput = Redacted.Redacted<string> | TokenSet;

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
 * Options of {@link watchToken$} for a probed-only token: no refresh options, because nothing
 * is refreshed. Writing one is a type error rather than a watch that silently lets the token
 * expire.
 *
 * @category models
 * @since 0.1.0
 */
export interface ProbeToken$Options<LE = never>
  extends Omit<WatchOptions, "refreshWindow" | "refreshJitter"> {
  readonly layer: Layer.Layer<TokenClient, LE>;
  /**
   * Not accepted without a store: Miro rotates the pair on every refresh, and the new one must
   * be written somewhere durable before it is used. Watch `{ id, store }` to refresh.
   */
  readonly refreshWindow?: never;
  /** Not accepted without a store (see `refreshWindow`). */
  readonly refreshJitter?: never;
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
  input: StoredTokenInput,
  options: WatchToken$Options<LE>,
): Observable<TokenStatus>;
export function watchToken$<LE = never>(
  input: ProbedTokenInput,
  options: ProbeToken$Options<LE>,
): Observable<TokenStatus>;
export function watchToken$<LE = never>(
  input: StoredTokenInput | ProbedTokenInput,
  options: WatchToken$Options<LE> | ProbeToken$Options<LE>,
): Observable<TokenStatus> {
  const { layer, ...watchOptions } = options;
  return replayLatest(toObservable(TokenWatcher.watch(input, watchOptions), layer));
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
