/**
 * @miro-token/store-file: A durable on-disk TokenStore for miro-token: atomic writes, 0600 files, cross-process locks, generations.
 */
export {};
