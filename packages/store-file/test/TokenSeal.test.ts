// Sealing one record: it opens with the keyring at its id and generation, and each way it can
// go wrong is its own typed error — a missing key, other key material under the same id, a cut
// ciphertext, a flipped bit, a record moved to another id or generation, a broken envelope.
// Nothing secret in any of them: neither key bytes nor plaintext (canaries).
import { describe, expect, it } from "@effect/vitest";
import { canaryToken, errorSurfaces, findLeaks } from "@miro-token/testkit";
import { Result } from "effect";
import { makeKeyring, openText, type SealedEnvelope, sealText } from "../src/crypto/index.ts";
import { testKey, testKeyring } from "./Keys.ts";

const keyring = testKeyring("k2", ["k1", "k2"]);
const at = { id: "alice", generation: 3 };

const failureOf = (result: Result.Result<string, unknown>) => {
  expect(Result.isFailure(result)).toBe(true);
  return Result.isFailure(result)
    ? (result.failure as { _tag: string; message: string })
    : undefined;
};

const flip = (base64url: string, byte: number): string => {
  const bytes = Buffer.from(base64url, "base64url");
  bytes[byte] = (bytes[byte] ?? 0) ^ 0x01;
  return bytes.toString("base64url");
};

describe("TokenSeal", () => {
  it("opens what it sealed, under the current key, with a fresh IV each time", () => {
    const secret = canaryToken();
    const one = sealText(keyring, secret, at);
    const two = sealText(keyring, secret, at);
    expect(one.kid).toBe("k2");
    expect(one.iv).not.toBe(two.iv);
    expect(one.ct).not.toBe(two.ct);
    expect(Buffer.from(one.iv, "base64url")).toHaveLength(12);
    expect(findLeaks(JSON.stringify(one), [secret])).toEqual([]);
    expect(openText(keyring, one, at)).toEqual(Result.succeed(secret));
    // A record sealed under an older key of the ring still opens.
    const old = sealText(testKeyring("k1", ["k1"]), secret, at);
    expect(openText(keyring, old, at)).toEqual(Result.succeed(secret));
  });

  it("KeyMissing names the key id when the ring lacks it", () => {
    const sealed = sealText(testKeyring("k0", ["k0"]), canaryToken(), at);
    const error = failureOf(openText(keyring, sealed, at));
    expect(error?._tag).toBe("KeyMissing");
    expect(error?.message).toContain('"k0"');
  });

  it("WrongKey when the ring holds the id with other material", () => {
    const sealed = sealText(keyring, canaryToken(), at);
    const other = Result.getOrThrow(makeKeyring("k2", { k2: testKey("k2", "regenerated") }));
    expect(failureOf(openText(other, sealed, at))?._tag).toBe("WrongKey");
  });

  it("Truncated when the ciphertext is cut (or padded)", () => {
    const sealed = sealText(keyring, canaryToken(), at);
    const bytes = Buffer.from(sealed.ct, "base64url");
    for (const ct of [bytes.subarray(0, bytes.length - 1), bytes.subarray(0, 5), Buffer.alloc(0)]) {
      const cut: SealedEnvelope = { ...sealed, ct: ct.toString("base64url") };
      expect(failureOf(openText(keyring, cut, at))?._tag).toBe("Truncated");
    }
  });

  it("NotAuthentic for a flipped bit anywhere in the ciphertext, tag or IV", () => {
    const sealed = sealText(keyring, canaryToken(), at);
    const length = Buffer.from(sealed.ct, "base64url").length;
    for (const byte of [0, Math.floor(length / 2), length - 1]) {
      const flipped = { ...sealed, ct: flip(sealed.ct, byte) };
      expect(failureOf(openText(keyring, flipped, at))?._tag).toBe("NotAuthentic");
    }
    expect(failureOf(openText(keyring, { ...sealed, iv: flip(sealed.iv, 0) }, at))?._tag).toBe(
      "NotAuthentic",
    );
  });

  it("NotAuthentic for a record moved to another id or replayed at another generation", () => {
    const sealed = sealText(keyring, canaryToken(), at);
    expect(failureOf(openText(keyring, sealed, { id: "bob", generation: 3 }))?._tag).toBe(
      "NotAuthentic",
    );
    expect(failureOf(openText(keyring, sealed, { id: "alice", generation: 4 }))?._tag).toBe(
      "NotAuthentic",
    );
    expect(failureOf(openText(keyring, sealed, { id: "alice", generation: 2 }))?._tag).toBe(
      "NotAuthentic",
    );
  });

  it("SealMalformed for an envelope this code does not read", () => {
    const sealed = sealText(keyring, canaryToken(), at);
    for (const broken of [
      null,
      "text",
      { ...sealed, v: 2 },
      { ...sealed, alg: "A128GCM" },
      { ...sealed, iv: "not base64!" },
      { ...sealed, iv: Buffer.alloc(8).toString("base64url") },
    ]) {
      expect(failureOf(openText(keyring, broken, at))?._tag).toBe("SealMalformed");
    }
  });

  it("no error, inspection or JSON of a keyring shows key material or plaintext", () => {
    const secret = canaryToken();
    const keys = ["k1", "k2"].map((keyId) => testKey(keyId));
    const secrets = [
      secret,
      ...keys.flatMap((key) => [
        key.toString("base64"),
        key.toString("base64url"),
        key.toString("hex"),
      ]),
    ];
    const sealed = sealText(keyring, secret, at);
    const failures = [
      openText(testKeyring("k9", ["k9"]), sealed, at),
      openText(Result.getOrThrow(makeKeyring("k2", { k2: testKey("k2", "x") })), sealed, at),
      openText(keyring, { ...sealed, ct: flip(sealed.ct, 0) }, at),
      openText(keyring, sealed, { id: "bob", generation: 3 }),
      openText(keyring, { ...sealed, ct: "" }, at),
    ].map((result) => (Result.isFailure(result) ? result.failure : undefined));
    expect(failures.every((failure) => failure !== undefined)).toBe(true);
    const surfaces = [
      ...failures.map(errorSurfaces),
      errorSurfaces(keyring),
      String(keyring),
      JSON.stringify(keyring),
    ];
    expect(findLeaks(surfaces.join("\n"), secrets)).toEqual([]);
    expect(JSON.stringify(keyring)).toBe('{"current":"k2","keyIds":["k1","k2"]}');
  });
});
