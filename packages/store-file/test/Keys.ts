// Keyrings for tests: deterministic 32-byte keys derived from their ids (so two keyrings that
// name the same id hold the same key unless a test says otherwise), and the env form.
import { createHash } from "node:crypto";
import { Result } from "effect";
import { type Keyring, makeKeyring } from "../src/crypto/index.ts";

/** The 32-byte test key of `keyId` (`variant` gives another key under the same id). */
export const testKey = (keyId: string, variant = ""): Buffer =>
  createHash("sha256").update(`miro-token test key ${keyId}${variant}`).digest();

/** A keyring of test keys, `current` among `keyIds`. */
export const testKeyring = (current: string, keyIds: ReadonlyArray<string>): Keyring =>
  Result.getOrThrow(
    makeKeyring(current, Object.fromEntries(keyIds.map((keyId) => [keyId, testKey(keyId)]))),
  );

/** The `MIRO_TOKEN_STORE_KEYS` JSON of a keyring of test keys. */
export const testKeysEnv = (current: string, keyIds: ReadonlyArray<string>): string =>
  JSON.stringify({
    current,
    keys: Object.fromEntries(keyIds.map((keyId) => [keyId, testKey(keyId).toString("base64")])),
  });
