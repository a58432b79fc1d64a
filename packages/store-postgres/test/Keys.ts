// Keyrings for the PostgreSQL tests, in the form processes get them: MIRO_TOKEN_STORE_KEYS JSON
// of random 32-byte keys (made once per test run), parsed by the one keyring loader.
import { randomBytes } from "node:crypto";
import { KEYS_ENV, type Keyring, keyringFromEnv } from "@miro-token/store-file/crypto";
import { Effect, Option } from "effect";

const keys = new Map<string, string>();
const keyOf = (keyId: string): string => {
  let key = keys.get(keyId);
  if (key === undefined) {
    key = randomBytes(32).toString("base64");
    keys.set(keyId, key);
  }
  return key;
};

/** The MIRO_TOKEN_STORE_KEYS JSON of this run's keys `keyIds`, `current` among them. */
export const keysEnv = (current: string, keyIds: ReadonlyArray<string>): string =>
  JSON.stringify({ current, keys: Object.fromEntries(keyIds.map((id) => [id, keyOf(id)])) });

/** The keyring of {@link keysEnv}. */
export const keyringOf = (current: string, keyIds: ReadonlyArray<string>): Keyring =>
  Option.getOrThrow(Effect.runSync(keyringFromEnv({ [KEYS_ENV]: keysEnv(current, keyIds) })));

/** Every key of this run in its stored forms: what must never appear anywhere. */
export const keyMaterial = (): ReadonlyArray<string> =>
  [...keys.values()].flatMap((key) => [key, Buffer.from(key, "base64").toString("hex")]);
