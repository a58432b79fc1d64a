/**
 * `@miro-token/store-file/files`: the Node file helpers the store, the CLI and the watcher
 * share — the bounded file reader and the errno reader. A subpath of its own, so the CLI's
 * fast path (`info --token-file`) loads `node:fs` and nothing of the store.
 *
 * @since 0.1.0
 */
export * from "./BoundedRead.ts";
export * from "./Errno.ts";
export * from "./FileInput.ts";
