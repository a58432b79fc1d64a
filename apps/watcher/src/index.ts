/**
 * `@miro-token/watcher`: the `miro-token-watcher` service as a library — `startWatcher` runs
 * it in-process (tests, or an app that embeds it); the pieces (board, metrics, config parsing,
 * status page) are exported for reuse.
 *
 * @since 0.1.0
 */
export * from "./EventLog.ts";
export * from "./HttpServer.ts";
export * from "./Metrics.ts";
export * from "./ObservedTransport.ts";
export * from "./StatusBoard.ts";
export * from "./StatusPage.ts";
export * from "./Watcher.ts";
export * from "./WatcherConfig.ts";
