/**
 * The keyring that seals token sets at rest: several AES-256 keys by id, one of them current.
 * Every write seals under the current key; a record sealed under any key of the ring can be
 * read. Rotating = making a new key current (every write uses it at once), `rekey`-ing the
 * records still under old keys, then dropping the old keys.
 *
 * Its text form (a file, or an environment variable) is JSON:
 *
 * ```json
 * { "current": "2026-11", "keys": { "2026-05": "<base64 of 32 bytes>", "2026-11": "…" } }
 * ```
 *
 * Key material lives only in `node:crypto` `KeyObject`s (which print as their size, never
 * their bytes); the keyring prints, inspects and serialises as its key ids only. A parse error
 * names the field, never its value (V8's `JSON.parse` message would quote the text).
 *
 * @since 0.1.0
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { inspect } from "node:util";
import { Data, Result } from "effect";

/**
 * A keyring that cannot be used: bad JSON, a key that is not 32 bytes of base64, a `current`
 * that names no key. `reason` names fields and key ids only.
 *
 * @category errors
 * @since 0.1.0
 */
export class KeyringError extends Data.TaggedError("KeyringError")<{ readonly reason: string }> {
  override get message(): string {
    return `KeyringError: ${this.reason}`;
  }
}

/** Key ids: short, printable, safe in a file, a log line and a SQL literal. */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_BYTES = 32;

/**
 * The check value of `key`: 8 bytes of HMAC-SHA256 under the key over a fixed label. Stored in
 * every envelope so a record read with different material under the same id fails as
 * `WrongKey`, not as tampering. It reveals nothing usable about the key.
 */
const checkValueOf = (key: KeyObject): string =>
  createHmac("sha256", key)
    .update("miro-token/key-check/v1")
    .digest()
    .subarray(0, 8)
    .toString("base64url");

interface KeyEntry {
  readonly key: KeyObject;
  readonly check: string;
}

/**
 * A usable keyring. Build it with {@link parseKeyring} or {@link makeKeyring}.
 *
 * @category models
 * @since 0.1.0
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, KeyEntry>;
  /** The id every write seals under. */
  readonly current: string;

  /** @internal use {@link makeKeyring} */
  constructor(current: string, keys: ReadonlyMap<string, KeyEntry>) {
    this.current = current;
    this.#keys = keys;
  }

  /** Every key id of the ring, sorted. */
  get keyIds(): ReadonlyArray<string> {
    return [...this.#keys.keys()].sort();
  }

  /** Whether the ring holds `keyId`. */
  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** @internal the key and its check value, for the sealing module. */
  entry(keyId: string): KeyEntry | undefined {
    return this.#keys.get(keyId);
  }

  toJSON(): unknown {
    return { current: this.current, keyIds: this.keyIds };
  }

  toString(): string {
    return `Keyring(current: ${this.current}, keys: ${this.keyIds.join(", ")})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A keyring from raw 32-byte keys (tests, benches, a key manager of your own). The buffers are
 * copied into `KeyObject`s; zero yours afterwards if you like.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeKeyring = (
  current: string,
  keys: Readonly<Record<string, Uint8Array>>,
): Result.Result<Keyring, KeyringError> => {
  const entries = new Map<string, KeyEntry>();
  for (const [keyId, bytes] of Object.entries(keys)) {
    if (!KEY_ID.test(keyId)) {
      return Result.fail(
        new KeyringError({
          reason: "a key id must be 1-64 characters of A-Z a-z 0-9 . _ - (starting alphanumeric)",
        }),
      );
    }
    if (bytes.length !== KEY_BYTES) {
      return Result.fail(
        new KeyringError({ reason: `key "${keyId}" is ${bytes.length} bytes, not ${KEY_BYTES}` }),
      );
    }
    const key = createSecretKey(Buffer.from(bytes));
    entries.set(keyId, { key, check: checkValueOf(key) });
  }
  if (!entries.has(current)) {
    return Result.fail(
      new KeyringError({
        reason: `"current" must name one of the keys (${[...entries.keys()].join(", ") || "none given"})`,
      }),
    );
  }
  return Result.succeed(new Keyring(current, entries));
};

/**
 * The keys and current id of one keyring text, before merging (a source may omit `current`
 * when another source names it).
 *
 * @category models
 * @since 0.1.0
 */
export interface KeyringText {
  readonly current: string | undefined;
  readonly keys: Readonly<Record<string, Uint8Array>>;
}

/**
 * Parse one keyring text (`source` names it in errors, e.g. `MIRO_TOKEN_STORE_KEYS_FILE`).
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseKeyringText = (
  text: string,
  source: string,
): Result.Result<KeyringText, KeyringError> => {
  const fail = (why: string) => Result.fail(new KeyringError({ reason: `${source}: ${why}` }));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(
      'not JSON (expected {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}})',
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("not a JSON object");
  }
  const { current, keys } = json as { current?: unknown; keys?: unknown };
  if (current !== undefined && typeof current !== "string")
    return fail('"current" is not a string');
  if (typeof keys !== "object" || keys === null || Array.isArray(keys)) {
    return fail('"keys" must be an object of key id to base64 key');
  }
  const decoded: Record<string, Uint8Array> = {};
  for (const [keyId, value] of Object.entries(keys)) {
    if (!KEY_ID.test(keyId)) {
      return fail("a key id must be 1-64 characters of A-Z a-z 0-9 . _ - (starting alphanumeric)");
    }
    const bytes =
      typeof value === "string" && BASE64.test(value.trim())
        ? Buffer.from(
            value.trim(),
            value.includes("-") || value.includes("_") ? "base64url" : "base64",
          )
        : undefined;
    if (bytes?.length !== KEY_BYTES) {
      return fail(`key "${keyId}" is not the base64 of ${KEY_BYTES} bytes`);
    }
    decoded[keyId] = bytes;
  }
  return Result.succeed({ current, keys: decoded });
};

/**
 * Merge keyring texts (file first, then environment) into one keyring. A key id given twice
 * must hold the same key, and two `current`s must agree.
 *
 * @category parsing
 * @since 0.1.0
 */
export const mergeKeyringTexts = (
  texts: ReadonlyArray<KeyringText>,
): Result.Result<Keyring, KeyringError> => {
  let current: string | undefined;
  const keys: Record<string, Uint8Array> = {};
  for (const text of texts) {
    if (text.current !== undefined) {
      if (current !== undefined && current !== text.current) {
        return Result.fail(
          new KeyringError({
            reason: `two keyrings name different current keys ("${current}", "${text.current}")`,
          }),
        );
      }
      current = text.current;
    }
    for (const [keyId, bytes] of Object.entries(text.keys)) {
      const known = keys[keyId];
      if (known !== undefined && !Buffer.from(known).equals(Buffer.from(bytes))) {
        return Result.fail(
          new KeyringError({ reason: `key "${keyId}" is given twice with different values` }),
        );
      }
      keys[keyId] = bytes;
    }
  }
  if (current === undefined) {
    return Result.fail(new KeyringError({ reason: 'no keyring names a "current" key' }));
  }
  return makeKeyring(current, keys);
};
