// The keyring from the environment: the file (MIRO_TOKEN_STORE_KEYS_FILE) and/or the inline
// JSON (MIRO_TOKEN_STORE_KEYS), merged; each way to get it wrong is a KeyringError that names
// the field or key id and never a key's bytes; the file is read by the bounded rule (regular
// files only, 64 KiB), so /dev/zero, a FIFO or a directory is refused at once.
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { errorSurfaces, findLeaks } from "@miro-token/testkit";
import { Effect, Exit, Option } from "effect";
import { KEYS_ENV, KEYS_FILE_ENV, keyringFromEnv } from "../src/crypto/index.ts";
import { testKey, testKeysEnv } from "./Keys.ts";
import { tempDirectory } from "./StoreFixtures.ts";

const reasonOf = (env: Record<string, string>) =>
  Effect.map(Effect.exit(keyringFromEnv(env)), (exit) => {
    if (Exit.isSuccess(exit)) return "ok";
    const [reason] = exit.cause.reasons;
    const error = reason?._tag === "Fail" ? reason.error : undefined;
    expect(error?._tag).toBe("KeyringError");
    const secrets = ["k1", "k2"].flatMap((id) => [
      testKey(id).toString("base64"),
      testKey(id).toString("hex"),
    ]);
    expect(findLeaks(errorSurfaces(error), secrets)).toEqual([]);
    return error?.reason ?? "";
  });

describe("keyringFromEnv", () => {
  it.effect("none configured: None", () =>
    Effect.gen(function* () {
      expect(yield* keyringFromEnv({})).toEqual(Option.none());
      expect(yield* keyringFromEnv({ [KEYS_ENV]: " ", [KEYS_FILE_ENV]: "" })).toEqual(
        Option.none(),
      );
    }),
  );

  it.live("the file and the inline JSON merge: keys from both, one current", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const file = join(directory, "keys.json");
        yield* Effect.promise(() => writeFile(file, testKeysEnv("k1", ["k1"]), { mode: 0o600 }));
        const inline = JSON.parse(testKeysEnv("k2", ["k2"])) as { keys: object };
        const keyring = Option.getOrThrow(
          yield* keyringFromEnv({
            [KEYS_FILE_ENV]: file,
            [KEYS_ENV]: JSON.stringify({ keys: inline.keys }),
          }),
        );
        expect(keyring.keyIds).toEqual(["k1", "k2"]);
        expect(keyring.current).toBe("k1");
      }),
    ),
  );

  it.effect("bad keyrings: a clear reason naming fields and ids, never key bytes", () =>
    Effect.gen(function* () {
      const k1 = testKey("k1").toString("base64");
      expect(yield* reasonOf({ [KEYS_ENV]: `{"current": "k1", "keys": {"k1": "${k1}"` })).toMatch(
        /^MIRO_TOKEN_STORE_KEYS: not JSON/,
      );
      expect(
        yield* reasonOf({
          [KEYS_ENV]: JSON.stringify({ current: "k1", keys: { k1: k1.slice(4) } }),
        }),
      ).toBe('MIRO_TOKEN_STORE_KEYS: key "k1" is not the base64 of 32 bytes');
      expect(
        yield* reasonOf({ [KEYS_ENV]: JSON.stringify({ current: "k2", keys: { k1 } }) }),
      ).toMatch(/"current" must name one of the keys \(k1\)/);
      expect(yield* reasonOf({ [KEYS_ENV]: JSON.stringify({ keys: { k1 } }) })).toBe(
        'no keyring names a "current" key',
      );
      expect(
        yield* reasonOf({ [KEYS_ENV]: JSON.stringify({ current: "k 1", keys: { "k 1": k1 } }) }),
      ).toMatch(/a key id must be/);
      expect(
        yield* reasonOf({ [KEYS_ENV]: JSON.stringify({ current: "k1", keys: { k1 }, extra: k1 }) }),
      ).toBe("ok");
      expect(yield* reasonOf({ [KEYS_ENV]: "[]" })).toBe(
        "MIRO_TOKEN_STORE_KEYS: not a JSON object",
      );
    }),
  );

  it.live("the file: /dev/zero, a FIFO, a directory, a huge or missing file are refused", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const fifo = join(directory, "fifo");
        execFileSync("mkfifo", [fifo]);
        const huge = join(directory, "huge.json");
        yield* Effect.promise(() => writeFile(huge, " ".repeat(70_000)));
        expect(yield* reasonOf({ [KEYS_FILE_ENV]: "/dev/zero" })).toBe(
          "MIRO_TOKEN_STORE_KEYS_FILE: not a regular file",
        );
        expect(yield* reasonOf({ [KEYS_FILE_ENV]: fifo })).toBe(
          "MIRO_TOKEN_STORE_KEYS_FILE: not a regular file",
        );
        expect(yield* reasonOf({ [KEYS_FILE_ENV]: directory })).toBe(
          "MIRO_TOKEN_STORE_KEYS_FILE: not a regular file",
        );
        expect(yield* reasonOf({ [KEYS_FILE_ENV]: huge })).toBe(
          "MIRO_TOKEN_STORE_KEYS_FILE: larger than 65536 bytes",
        );
        expect(yield* reasonOf({ [KEYS_FILE_ENV]: join(directory, "absent") })).toBe(
          "MIRO_TOKEN_STORE_KEYS_FILE: ENOENT",
        );
      }),
    ),
  );

  it.live("two sources that disagree are refused", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const file = join(directory, "keys.json");
        yield* Effect.promise(() => writeFile(file, testKeysEnv("k1", ["k1"]), { mode: 0o600 }));
        const otherK1 = JSON.stringify({ keys: { k1: testKey("k1", "x").toString("base64") } });
        expect(yield* reasonOf({ [KEYS_FILE_ENV]: file, [KEYS_ENV]: otherK1 })).toBe(
          'key "k1" is given twice with different values',
        );
        expect(
          yield* reasonOf({ [KEYS_FILE_ENV]: file, [KEYS_ENV]: testKeysEnv("k2", ["k2"]) }),
        ).toBe('two keyrings name different current keys ("k1", "k2")');
      }),
    ),
  );
});
