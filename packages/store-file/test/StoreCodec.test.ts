// The on-disk codec and file naming as properties: any stored token survives encode/decode
// unchanged, any id maps to a file name that maps back to it (and nothing else does), and a
// document edited to anything else is a StoreError, never a crash — in clear and sealed.
import { describe, expect, it } from "@effect/vitest";
import { type StoredToken, tokenIdProblem } from "@miro-token/core";
import { Effect, Exit, Option, Redacted } from "effect";
import fc from "fast-check";
import type { Keyring } from "../src/crypto/index.ts";
import * as StoreCodec from "../src/StoreCodec.ts";
import * as StoreLayout from "../src/StoreLayout.ts";
import { testKeyring } from "./Keys.ts";

const storedToken: fc.Arbitrary<StoredToken> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 40 }),
  generation: fc.integer({ min: 1, max: 2 ** 40 }),
  updatedAt: fc.integer({ min: 0, max: 2 ** 45 }),
  tokenSet: fc.record(
    {
      accessToken: fc.string().map(Redacted.make),
      refreshToken: fc.string().map(Redacted.make),
      expiresAt: fc.integer({ min: 0, max: 2 ** 45 }),
      scopes: fc.array(fc.string()),
      teamId: fc.stringMatching(/^\d{1,25}$/),
      userId: fc.string(),
    },
    { requiredKeys: ["accessToken", "scopes"] },
  ),
});

const plain = (stored: StoredToken) => ({
  ...stored,
  tokenSet: {
    ...stored.tokenSet,
    accessToken: Redacted.value(stored.tokenSet.accessToken),
    refreshToken:
      stored.tokenSet.refreshToken === undefined
        ? undefined
        : Redacted.value(stored.tokenSet.refreshToken),
  },
});

describe.each([
  ["in clear", undefined],
  ["sealed", testKeyring("k1", ["k1"])],
] as ReadonlyArray<[string, Keyring | undefined]>)("StoreCodec %s", (_, keyring) => {
  const decode = (text: string, id: string) =>
    Effect.runSyncExit(StoreCodec.decode(text, id, "f.token.json", "get", keyring));

  it("decode(encode(stored)) is stored, for any stored token", () => {
    fc.assert(
      fc.property(storedToken, (stored) => {
        const exit = decode(StoreCodec.encode(stored, keyring), stored.id);
        expect(Exit.isSuccess(exit) && plain(exit.value)).toEqual(plain(stored));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it("any edit of a document decodes or fails with a StoreError, never a defect", () => {
    fc.assert(
      fc.property(storedToken, fc.nat(), fc.string({ maxLength: 3 }), (stored, at, insert) => {
        const text = StoreCodec.encode(stored, keyring);
        const cut = at % (text.length + 1);
        const exit = decode(text.slice(0, cut) + insert + text.slice(cut + 1), stored.id);
        if (Exit.isFailure(exit)) {
          const [reason] = exit.cause.reasons;
          expect(reason?._tag === "Fail" && reason.error._tag).toBe("StoreError");
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe("StoreLayout", () => {
  it("every id short enough maps to a token file name that maps back to it", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: "grapheme" }), (id) => {
        const encoded = StoreLayout.encodeId(id);
        if (encoded._tag === "None") {
          expect(tokenIdProblem(id)).toBeDefined();
          return;
        }
        const name = StoreLayout.tokenFileName(encoded.value);
        expect(name).toMatch(/^[A-Za-z0-9_-]+\.token\.json$/);
        const back = StoreLayout.idOfTokenFileName(name);
        expect(back._tag === "Some" && back.value.id).toBe(id);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it("lock, temp and foreign names are not token files; temp names carry their writer", () => {
    const encoded = "YWxpY2U";
    expect(StoreLayout.idOfTokenFileName(StoreLayout.lockFileName(encoded))._tag).toBe("None");
    const temp = StoreLayout.tempFileName(StoreLayout.tokenFileName(encoded), 4242);
    expect(StoreLayout.idOfTokenFileName(temp)._tag).toBe("None");
    expect(StoreLayout.writerOfTempFileName(temp)).toEqual(Option.some(4242));
    expect(StoreLayout.isTempFileOf(temp, StoreLayout.tokenFileName(encoded))).toBe(true);
    expect(StoreLayout.idOfTokenFileName("notes.json")._tag).toBe("None");
    // Not canonical base64url ("YWxpY2V" decodes to "alice" too): not ours.
    expect(StoreLayout.idOfTokenFileName("YWxpY2V.token.json")._tag).toBe("None");
  });
});
