/**
 * `@miro-token/rx`: Miro token status as rxjs Observables — `watchToken$`, `watchStore$`,
 * `latestByToken`, and the `toObservable` bridge from any Effect `Stream`.
 *
 * @since 0.1.0
 */
export * from "./ToObservable.ts";
export * from "./WatchObservables.ts";
