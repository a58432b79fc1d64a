// The file store with a keyring: documents sealed on every write (no canary on disk), a new
// current key used at once, a plaintext store migrated (readable, sealed on write, the rest by
// rekey), a sealed store refused without a keyring (naming the key id), and each tampering as
// its typed reason in a StoreError — never the contents. A record whose key is missing is
// quarantined by rekey, which goes on with the others.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { type StoreError, unresolvedIntent } from "@miro-token/core";
import { errorSurfaces, findLeaks } from "@miro-token/testkit";
import { Effect, Exit, Option, Redacted, Result } from "effect";
import { type Keyring, makeKeyring } from "../src/crypto/index.ts";
import { FileRekey, FileTokenStore } from "../src/index.ts";
import { testKey, testKeyring } from "./Keys.ts";
import { canaryTokenSet, refreshOf, tempDirectory } from "./StoreFixtures.ts";

const open = (directory: string, keyring?: Keyring) =>
  FileTokenStore.make({ directory, ...(keyring === undefined ? {} : { keyring }) });

/** Every file of the directory, concatenated: what a backup would hold. */
const directoryText = (directory: string) =>
  Effect.promise(async () => {
    const names = await readdir(directory);
    const texts = await Promise.all(names.map((name) => readFile(join(directory, name), "utf8")));
    return texts.join("\n");
  });

const documentOf = (directory: string, id: string) =>
  Effect.promise(async () =>
    JSON.parse(
      await readFile(
        join(directory, `${Buffer.from(id).toString("base64url")}.token.json`),
        "utf8",
      ),
    ),
  );

const writeDocument = (directory: string, id: string, document: unknown) =>
  Effect.promise(() =>
    writeFile(
      join(directory, `${Buffer.from(id).toString("base64url")}.token.json`),
      JSON.stringify(document),
    ),
  );

const storeFailure = <A>(effect: Effect.Effect<A, StoreError>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    expect(Exit.isFailure(exit)).toBe(true);
    const [reason] = Exit.isFailure(exit) ? exit.cause.reasons : [];
    return reason?._tag === "Fail" ? reason.error : undefined;
  });

const secretsOf = (...sets: ReadonlyArray<ReturnType<typeof canaryTokenSet>>) =>
  sets.flatMap((set) => [Redacted.value(set.accessToken), refreshOf(set)]);

const k1 = testKeyring("k1", ["k1"]);
const k2 = testKeyring("k2", ["k1", "k2"]);
const k2only = testKeyring("k2", ["k2"]);
const regeneratedK2 = Result.getOrThrow(makeKeyring("k2", { k2: testKey("k2", "regenerated") }));

describe("FileTokenStore with a keyring", () => {
  it.live("seals every write: no canary on disk, the key id in each document, reads back", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const store = yield* open(directory, k1);
        const [a, b] = [canaryTokenSet(), canaryTokenSet()];
        yield* store.compareAndSet("alice", 0, a);
        yield* store.compareAndSet("alice", 1, b);
        expect(findLeaks(yield* directoryText(directory), secretsOf(a, b))).toEqual([]);
        const document = yield* documentOf(directory, "alice");
        expect(document.tokenSet).toBeUndefined();
        expect(document.sealed.kid).toBe("k1");
        const read = Option.getOrThrow(yield* store.get("alice"));
        expect(Redacted.value(read.tokenSet.accessToken)).toBe(Redacted.value(b.accessToken));
        expect(read.tokenSet.scopes).toEqual(b.scopes);
      }),
    ),
  );

  it.live("a new current key is used by the next write; old records still read", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        yield* (yield* open(directory, k1)).compareAndSet("alice", 0, canaryTokenSet());
        const store = yield* open(directory, k2);
        const old = Option.getOrThrow(yield* store.get("alice"));
        yield* store.compareAndSet("alice", old.generation, old.tokenSet);
        expect((yield* documentOf(directory, "alice")).sealed.kid).toBe("k2");
      }),
    ),
  );

  it.live("migration: plaintext stays readable, a write seals, rekey seals the rest", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const plain = yield* open(directory);
        const sets = [canaryTokenSet(), canaryTokenSet(), canaryTokenSet()];
        for (const [n, set] of sets.entries()) yield* plain.compareAndSet(`user-${n}`, 0, set);
        const store = yield* open(directory, k1);
        expect((yield* store.list()).length).toBe(3);
        yield* store.compareAndSet("user-0", 1, sets[0]!);
        const report = yield* FileRekey.rekey({ directory, keyring: k1 });
        expect(report).toMatchObject({ examined: 2, rekeyed: 2, quarantined: [] });
        expect(findLeaks(yield* directoryText(directory), secretsOf(...sets))).toEqual([]);
        const again = yield* FileRekey.rekey({ directory, keyring: k1 });
        expect(again).toMatchObject({ examined: 0, rekeyed: 0 });
        const entries = yield* store.list();
        expect(entries.map((entry) => entry.generation).sort()).toEqual([2, 2, 2]);
      }),
    ),
  );

  it.live("rekey carries a lost refresh (an unresolved intent) to the re-sealed generation", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const store = yield* open(directory, k1);
        yield* store.compareAndSet("alice", 0, canaryTokenSet());
        yield* store.recordRefreshIntent("alice", { generation: 1, startedAt: 1234 });
        yield* FileRekey.rekey({ directory, keyring: k2 });
        const after = Option.getOrThrow(yield* (yield* open(directory, k2only)).get("alice"));
        expect(after.generation).toBe(2);
        expect(unresolvedIntent(after)).toEqual({ generation: 2, startedAt: 1234 });
      }),
    ),
  );

  it.live("a sealed store refuses to open without a keyring, naming the key ids", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        yield* (yield* open(directory, k1)).compareAndSet("alice", 0, canaryTokenSet());
        yield* (yield* open(directory, k2)).compareAndSet("bob", 0, canaryTokenSet());
        const error = yield* storeFailure(open(directory));
        expect(error?.operation).toBe("open");
        expect(error?.reason).toMatch(/^KeyMissing: the store is encrypted \(key ids "k1", "k2"\)/);
        expect(error?.reason).toContain("MIRO_TOKEN_STORE_KEYS_FILE");
      }),
    ),
  );

  it.live("tampering: each a typed reason in a StoreError, never the contents", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const store = yield* open(directory, k2);
        const [a, b] = [canaryTokenSet(), canaryTokenSet()];
        yield* store.compareAndSet("alice", 0, a);
        yield* store.compareAndSet("alice", 1, a);
        yield* store.compareAndSet("bob", 0, b);
        const alice = yield* documentOf(directory, "alice");
        const reasonAfter = (id: string, document: unknown, keyring: Keyring = k2) =>
          Effect.gen(function* () {
            yield* writeDocument(directory, id, document);
            const error = yield* storeFailure(
              Effect.flatMap(open(directory, keyring), (s) => s.get(id)),
            );
            expect(findLeaks(errorSurfaces(error), secretsOf(a, b))).toEqual([]);
            return error?.reason ?? "";
          });
        // alice's record copied to bob (its id field edited to match): another id.
        expect(yield* reasonAfter("bob", { ...alice, id: "bob" })).toMatch(/^NotAuthentic: /);
        // alice's record replayed at another generation.
        expect(yield* reasonAfter("alice", { ...alice, generation: 3 })).toMatch(/^NotAuthentic: /);
        expect(yield* reasonAfter("alice", { ...alice, generation: 1 })).toMatch(/^NotAuthentic: /);
        const ct = Buffer.from(alice.sealed.ct, "base64url");
        ct[3] = (ct[3] ?? 0) ^ 0x80;
        expect(
          yield* reasonAfter("alice", {
            ...alice,
            sealed: { ...alice.sealed, ct: ct.toString("base64url") },
          }),
        ).toMatch(/^NotAuthentic: .*\(YWxpY2U\.token\.json\)$/);
        expect(
          yield* reasonAfter("alice", {
            ...alice,
            sealed: { ...alice.sealed, ct: alice.sealed.ct.slice(0, 40) },
          }),
        ).toMatch(/^Truncated: /);
        expect(yield* reasonAfter("alice", alice, regeneratedK2)).toMatch(/^WrongKey: /);
        expect(yield* reasonAfter("alice", alice, k1)).toMatch(/^KeyMissing: sealed with key "k2"/);
      }),
    ),
  );

  it.live("rekey quarantines a record whose key is missing and re-seals the others", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const directory = yield* tempDirectory;
        const lost = testKeyring("lost", ["lost"]);
        yield* (yield* open(directory, lost)).compareAndSet("orphan", 0, canaryTokenSet());
        yield* (yield* open(directory, k1)).compareAndSet("alice", 0, canaryTokenSet());
        const report = yield* FileRekey.rekey({ directory, keyring: k2 });
        expect(report.rekeyed).toBe(1);
        expect(report.quarantined).toEqual([
          { id: "orphan", reason: expect.stringMatching(/^KeyMissing: sealed with key "lost"/) },
        ]);
        // With the old key removed, alice reads; the orphan is still refused by name, not content.
        const store = yield* open(directory, k2only);
        expect(Option.isSome(yield* store.get("alice"))).toBe(true);
        const error = yield* storeFailure(store.get("orphan"));
        expect(error?.reason).toMatch(/^KeyMissing: sealed with key "lost"/);
        // A scan (what the watcher lists with) quarantines it by name beside the readable ones.
        const scanned = yield* store.scan!();
        expect(scanned.entries.map((entry) => entry.id)).toEqual(["alice"]);
        expect(scanned.unreadable).toEqual([
          {
            id: "orphan",
            location: `${Buffer.from("orphan").toString("base64url")}.token.json`,
            reason: expect.stringMatching(/^KeyMissing: sealed with key "lost"/),
          },
        ]);
      }),
    ),
  );
});
