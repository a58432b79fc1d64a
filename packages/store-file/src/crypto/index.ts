/**
 * `@miro-token/store-file/crypto`: tokens sealed at rest with AES-256-GCM under a rotating
 * keyring — the keyring and where it comes from, sealing and opening a record bound to its id
 * and generation, the typed reasons a record cannot be opened, and the `rekey` rule. One
 * implementation for every store: the file store uses it from here and
 * `@miro-token/store-postgres` imports this subpath (it loads `node:crypto` and nothing of the
 * file store's locking or layout).
 *
 * @since 0.1.0
 */
export * from "./Keyring.ts";
export * from "./KeyringSource.ts";
export * from "./Rekey.ts";
export * from "./SealErrors.ts";
export * from "./StoreSealing.ts";
export * from "./TokenSeal.ts";
