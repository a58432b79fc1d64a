/**
 * `@miro-token/store-file`: a durable on-disk `TokenStore` for miro-token — atomic writes,
 * 0600 files in a 0700 directory, generations, and cross-process locks with stale-lock
 * recovery.
 *
 * @since 0.1.0
 */

export { type PendingReplace, prepareReplace } from "./AtomicFile.ts";
export type { FileLockOptions } from "./FileLock.ts";
export * as FileRekey from "./FileRekey.ts";
export * as FileTokenStore from "./FileTokenStore.ts";
export { nodeStoreFs, type StoreFs } from "./StoreFs.ts";
