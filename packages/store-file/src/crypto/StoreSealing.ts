/**
 * The store side of sealing, shared by the file and PostgreSQL stores: how a record's token
 * set is sealed or opened (or left plain when no keyring is configured), and how a failure to
 * open becomes core's `StoreError` — its reason starts with the typed error's tag
 * (`KeyMissing: …`, `NotAuthentic: …`) and names the record's place, never its contents — and
 * the refusal to open a sealed store without a keyring, naming the missing key ids.
 *
 * A store with a keyring seals every write; it still reads plaintext records (a store being
 * migrated: `rekey` seals the rest). A store without one reads plaintext only.
 *
 * @since 0.1.0
 */
import type { StoreError } from "@miro-token/core";
import { Result } from "effect";
import { storeError } from "../StoreFs.ts";
import type { Keyring } from "./Keyring.ts";
import { KEYS_ENV, KEYS_FILE_ENV } from "./KeyringSource.ts";
import { KeyMissing, type SealError } from "./SealErrors.ts";
import { keyIdOf, openJson, type SealBinding, type SealedEnvelope, sealJson } from "./TokenSeal.ts";

/**
 * A record's token set as stored: plain JSON, or sealed.
 *
 * @category models
 * @since 0.1.0
 */
export type StoredTokenSet =
  | { readonly tokenSet: unknown; readonly sealed?: undefined }
  | { readonly tokenSet?: undefined; readonly sealed: SealedEnvelope };

/**
 * The stored form of `plain` (a store's JSON token set) for `binding`: sealed when a keyring
 * is configured.
 *
 * @category sealing
 * @since 0.1.0
 */
export const storeTokenSet = (
  keyring: Keyring | undefined,
  plain: unknown,
  binding: SealBinding,
): StoredTokenSet =>
  keyring === undefined ? { tokenSet: plain } : { sealed: sealJson(keyring, plain, binding) };

/**
 * The plain JSON token set of a stored record (`sealed` from the record, or `undefined` for a
 * plaintext one whose `plain` is returned as it is).
 *
 * @category sealing
 * @since 0.1.0
 */
export const readTokenSet = (
  keyring: Keyring | undefined,
  record: { readonly tokenSet?: unknown; readonly sealed?: unknown },
  binding: SealBinding,
): Result.Result<unknown, SealError> => {
  if (record.sealed === undefined) return Result.succeed(record.tokenSet);
  if (keyring === undefined) {
    return Result.fail(new KeyMissing({ keyId: keyIdOf(record.sealed) ?? "(unnamed)" }));
  }
  return openJson(keyring, record.sealed, binding);
};

/**
 * `error` as core's `StoreError`, naming `where` (a file name, a row id).
 *
 * @category errors
 * @since 0.1.0
 */
export const sealFailure = (operation: string, where: string, error: SealError): StoreError =>
  storeError(operation, `${error.message} (${where})`);

const KEYRING_REQUIRED = "KeyMissing: the store is encrypted";

/**
 * Whether `error` is {@link keyringRequired}'s refusal (a configuration problem: an app may
 * report it as a usage error).
 *
 * @category errors
 * @since 0.1.0
 */
export const isKeyringRequired = (error: StoreError): boolean =>
  error.operation === "open" && error.reason.startsWith(KEYRING_REQUIRED);

/**
 * The refusal to open a store holding sealed records without a keyring.
 *
 * @category errors
 * @since 0.1.0
 */
export const keyringRequired = (keyIds: ReadonlyArray<string>): StoreError =>
  storeError(
    "open",
    `${KEYRING_REQUIRED} (key ${keyIds.length === 1 ? "id" : "ids"} ${keyIds.map((k) => `"${k}"`).join(", ")}) and no keyring is configured: set ${KEYS_FILE_ENV} or ${KEYS_ENV}`,
  );
