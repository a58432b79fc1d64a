/**
 * Sealing a token set at rest with AES-256-GCM (`node:crypto`), the one implementation both
 * stores use. A sealed record is an envelope:
 *
 * ```json
 * { "v": 1, "alg": "A256GCM", "kid": "2026-11", "kcv": "…", "iv": "…", "n": 212, "ct": "…" }
 * ```
 *
 * - `kid`: the key it was sealed with; `kcv`: that key's check value (tells `WrongKey` apart);
 * - `iv`: 12 random bytes, fresh for every write (never reused under one key: 2^-32 collision
 *   odds only after ~2^32 writes per key, far beyond a token store's life; rotate long before);
 * - `n`: the plaintext length, `ct`: ciphertext and 16-byte tag (base64url).
 *
 * The authenticated data binds the ciphertext to where it belongs — format, key id, token id
 * and generation — so a record copied under another id, or an old record replayed at a newer
 * generation (or the other way round), fails to open as `NotAuthentic`. What it cannot catch:
 * a whole older record (document or row) put back as it was; nothing inside a record can.
 *
 * @since 0.1.0
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { Result, Schema } from "effect";
import type { Keyring } from "./Keyring.ts";
import {
  KeyMissing,
  NotAuthentic,
  type SealError,
  SealMalformed,
  Truncated,
  WrongKey,
} from "./SealErrors.ts";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_LABEL = "miro-token/sealed-token-set/v1";

/**
 * The envelope's schema (everything in it is safe to store next to the key id).
 *
 * @category schemas
 * @since 0.1.0
 */
export const SealedEnvelope = Schema.Struct({
  v: Schema.Literal(1),
  alg: Schema.Literal("A256GCM"),
  kid: Schema.String,
  kcv: Schema.String,
  iv: Schema.String,
  n: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  ct: Schema.String,
});

/**
 * @category models
 * @since 0.1.0
 */
export type SealedEnvelope = typeof SealedEnvelope.Type;

/**
 * Where a sealed record belongs: the authenticated data.
 *
 * @category models
 * @since 0.1.0
 */
export interface SealBinding {
  readonly id: string;
  readonly generation: number;
}

const aadOf = (keyId: string, binding: SealBinding): Buffer =>
  Buffer.from(`${AAD_LABEL}\n${keyId}\n${binding.generation}\n${binding.id}`, "utf8");

/**
 * Seal `plaintext` under the keyring's current key for `binding`.
 *
 * @category sealing
 * @since 0.1.0
 */
export const sealText = (
  keyring: Keyring,
  plaintext: string,
  binding: SealBinding,
): SealedEnvelope => {
  const kid = keyring.current;
  // The current key is in the ring by construction (`makeKeyring` checks it).
  const entry = keyring.entry(kid)!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", entry.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(kid, binding));
  const data = Buffer.from(plaintext, "utf8");
  const ct = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  return {
    v: 1,
    alg: "A256GCM",
    kid,
    kcv: entry.check,
    iv: iv.toString("base64url"),
    n: data.length,
    ct: ct.toString("base64url"),
  };
};

const decodeEnvelope = Schema.decodeUnknownResult(SealedEnvelope);
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The key id an envelope names, without opening it (what `rekey` and the start-up check read).
 *
 * @category sealing
 * @since 0.1.0
 */
export const keyIdOf = (envelope: unknown): string | undefined => {
  const kid = (envelope as { kid?: unknown } | null | undefined)?.kid;
  return typeof kid === "string" ? kid : undefined;
};

/**
 * Open `envelope` (unknown: straight from a file or a row) with the keyring for `binding`.
 *
 * @category sealing
 * @since 0.1.0
 */
export const openText = (
  keyring: Keyring,
  envelope: unknown,
  binding: SealBinding,
): Result.Result<string, SealError> => {
  const decoded = decodeEnvelope(envelope);
  if (Result.isFailure(decoded)) {
    return Result.fail(new SealMalformed({ reason: "not a sealed envelope (v 1, A256GCM)" }));
  }
  const { kid, kcv, iv, n, ct } = decoded.success;
  const entry = keyring.entry(kid);
  if (entry === undefined) return Result.fail(new KeyMissing({ keyId: kid }));
  if (entry.check !== kcv) return Result.fail(new WrongKey({ keyId: kid }));
  if (!BASE64URL.test(iv) || !BASE64URL.test(ct)) {
    return Result.fail(new SealMalformed({ reason: "iv or ct is not base64url" }));
  }
  const ivBytes = Buffer.from(iv, "base64url");
  if (ivBytes.length !== IV_BYTES) {
    return Result.fail(new SealMalformed({ reason: `the iv is not ${IV_BYTES} bytes` }));
  }
  const bytes = Buffer.from(ct, "base64url");
  if (bytes.length !== n + TAG_BYTES) {
    return Result.fail(new Truncated({ expected: n + TAG_BYTES, actual: bytes.length }));
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", entry.key, ivBytes, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aadOf(kid, binding));
    decipher.setAuthTag(bytes.subarray(n));
    const plain = Buffer.concat([decipher.update(bytes.subarray(0, n)), decipher.final()]);
    return Result.succeed(plain.toString("utf8"));
  } catch {
    // node's message ("Unsupported state or unable to authenticate data") says nothing more.
    return Result.fail(new NotAuthentic({ keyId: kid }));
  }
};

/**
 * Seal a JSON value (a store's plain token set).
 *
 * @category sealing
 * @since 0.1.0
 */
export const sealJson = (keyring: Keyring, value: unknown, binding: SealBinding): SealedEnvelope =>
  sealText(keyring, JSON.stringify(value), binding);

/**
 * Open an envelope sealed by {@link sealJson}: the JSON value (unknown: the store validates it
 * with its own schema).
 *
 * @category sealing
 * @since 0.1.0
 */
export const openJson = (
  keyring: Keyring,
  envelope: unknown,
  binding: SealBinding,
): Result.Result<unknown, SealError> =>
  Result.flatMap(openText(keyring, envelope, binding), (text) => {
    try {
      return Result.succeed(JSON.parse(text) as unknown);
    } catch {
      return Result.fail(new SealMalformed({ reason: "the opened record is not JSON" }));
    }
  });
