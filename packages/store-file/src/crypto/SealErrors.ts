/**
 * Why a sealed token set could not be opened, one small tagged class per cause, so a caller
 * (a store mapping it to `StoreError`, `rekey` listing what it quarantined, a test) can tell
 * them apart. Every field is safe to show: key ids and fixed texts, never key material,
 * ciphertext or plaintext.
 *
 * AES-GCM itself answers one bit (authentic or not): a flipped bit and a record moved to
 * another id or generation look the same to it. The envelope carries the key id, a key check
 * value and the plaintext length, which is what lets `KeyMissing`, `WrongKey` and `Truncated`
 * be told apart from `NotAuthentic` before decryption is even tried.
 *
 * @since 0.1.0
 */
import { Data } from "effect";

/**
 * The record names a key id the keyring does not hold (removed too early, or a keyring from
 * another deployment). The record is kept as it is: add the key back to read it.
 *
 * @category errors
 * @since 0.1.0
 */
export class KeyMissing extends Data.TaggedError("KeyMissing")<{ readonly keyId: string }> {
  override get message(): string {
    return `KeyMissing: sealed with key "${this.keyId}", which is not in the keyring`;
  }
}

/**
 * The keyring holds the record's key id, but with other key material (its check value
 * differs): a mistyped or regenerated key.
 *
 * @category errors
 * @since 0.1.0
 */
export class WrongKey extends Data.TaggedError("WrongKey")<{ readonly keyId: string }> {
  override get message(): string {
    return `WrongKey: the keyring's key "${this.keyId}" is not the key this record was sealed with`;
  }
}

/**
 * The ciphertext is shorter (or longer) than the envelope says: a cut or torn record.
 *
 * @category errors
 * @since 0.1.0
 */
export class Truncated extends Data.TaggedError("Truncated")<{
  readonly expected: number;
  readonly actual: number;
}> {
  override get message(): string {
    return `Truncated: the ciphertext holds ${this.actual} bytes, the envelope says ${this.expected}`;
  }
}

/**
 * The right key, the right length, and still not authentic: a changed bit, or a record moved
 * to another token id or replayed at another generation (the authenticated data binds both).
 *
 * @category errors
 * @since 0.1.0
 */
export class NotAuthentic extends Data.TaggedError("NotAuthentic")<{ readonly keyId: string }> {
  override get message(): string {
    return `NotAuthentic: the record does not authenticate under key "${this.keyId}" for this id and generation (tampered, or moved from another record or generation)`;
  }
}

/**
 * The envelope is not one this code reads: a missing field, bad base64, an unknown version or
 * algorithm, a wrong IV length.
 *
 * @category errors
 * @since 0.1.0
 */
export class SealMalformed extends Data.TaggedError("SealMalformed")<{ readonly reason: string }> {
  override get message(): string {
    return `SealMalformed: ${this.reason}`;
  }
}

/**
 * Every reason a sealed record cannot be opened.
 *
 * @category errors
 * @since 0.1.0
 */
export type SealError = KeyMissing | WrongKey | Truncated | NotAuthentic | SealMalformed;
