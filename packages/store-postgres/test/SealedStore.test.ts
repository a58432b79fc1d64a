// The PostgreSQL store with a keyring, on a real database: rows sealed on every write (no
// canary in the table's text), plaintext rows migrated (readable, sealed on write, the rest by
// rekey), a sealed table refused without a keyring (naming the key ids), each tampering (a row
// copied to another id, replayed at another generation, a flipped bit, a cut ciphertext, other
// key material) a typed reason in a StoreError, and a row whose key is missing quarantined by
// rekey while the others are re-sealed.
import { describe, expect, it } from "@effect/vitest";
import type { StoreError, TokenSet } from "@miro-token/core";
import { makeKeyring } from "@miro-token/store-file/crypto";
import { canaryToken, errorSurfaces, findLeaks } from "@miro-token/testkit";
import { Effect, Option, Redacted, Result } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { PostgresRekey, type PostgresStoreOptions, PostgresTokenStore } from "../src/index.ts";
import { failureOf, freshDatabase, optionsOf, withSql } from "./Databases.ts";
import { keyMaterial, keyringOf } from "./Keys.ts";

const tokenSet = (): TokenSet => ({
  accessToken: Redacted.make(canaryToken()),
  refreshToken: Redacted.make(canaryToken()),
  expiresAt: 1_767_229_199_000,
  scopes: ["boards:read"],
});

const secretsOf = (...sets: ReadonlyArray<TokenSet>) =>
  sets.flatMap((set) => [Redacted.value(set.accessToken), Redacted.value(set.refreshToken!)]);

const database = Effect.gen(function* () {
  const name = yield* freshDatabase;
  const options = optionsOf(name);
  yield* Effect.orDie(PostgresTokenStore.migrate(options));
  return { name, options };
});

const tableText = (name: string) =>
  withSql(
    name,
    Effect.flatMap(
      SqlClient,
      (sql) => sql<{ t: string }>`SELECT row_to_json(t)::text AS t FROM miro_token_tokens t`,
    ),
  ).pipe(
    Effect.orDie,
    Effect.map((rows) => rows.map((row) => row.t).join("\n")),
  );

const run = (name: string, statement: string) =>
  withSql(
    name,
    Effect.flatMap(SqlClient, (sql) => sql.unsafe(statement)),
  ).pipe(Effect.orDie);

const storeFailure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit) => failureOf(exit) as StoreError | undefined);

const openWith = (options: PostgresStoreOptions, keyIds?: ReadonlyArray<string>, current = "k2") =>
  PostgresTokenStore.make({
    ...options,
    ...(keyIds === undefined ? {} : { keyring: keyringOf(current, keyIds) }),
  });

describe("PostgresTokenStore with a keyring", () => {
  it.live(
    "seals every write: no canary or key in the table, the key id queryable, reads back",
    () =>
      Effect.gen(function* () {
        const { name, options } = yield* database;
        const store = yield* openWith(options, ["k1", "k2"]);
        const [a, b] = [tokenSet(), tokenSet()];
        yield* store.compareAndSet("alice", 0, a);
        yield* store.compareAndSet("alice", 1, b);
        const text = yield* tableText(name);
        expect(findLeaks(text, [...secretsOf(a, b), ...keyMaterial()])).toEqual([]);
        expect(text).toMatch(/"kid": ?"k2"/);
        const read = Option.getOrThrow(yield* store.get("alice"));
        expect(Redacted.value(read.tokenSet.refreshToken!)).toBe(Redacted.value(b.refreshToken!));
      }).pipe(Effect.scoped),
  );

  it.live("migration: plaintext rows read, a write seals, rekey seals the rest (resumable)", () =>
    Effect.gen(function* () {
      const { name, options } = yield* database;
      const plain = yield* PostgresTokenStore.make(options);
      const sets = [tokenSet(), tokenSet(), tokenSet()];
      for (const [n, set] of sets.entries()) yield* plain.compareAndSet(`user-${n}`, 0, set);
      const store = yield* openWith(options, ["k1"], "k1");
      expect((yield* store.list()).length).toBe(3);
      yield* store.compareAndSet("user-0", 1, sets[0]!);
      const keyring = keyringOf("k1", ["k1"]);
      expect(yield* PostgresRekey.rekey({ ...options, keyring })).toMatchObject({
        examined: 2,
        rekeyed: 2,
        quarantined: [],
      });
      expect(yield* PostgresRekey.rekey({ ...options, keyring })).toMatchObject({ examined: 0 });
      expect(findLeaks(yield* tableText(name), secretsOf(...sets))).toEqual([]);
      // Rotate: k2 current; rekey moves every row to k2; then k1 can go.
      const rotated = keyringOf("k2", ["k1", "k2"]);
      expect(yield* PostgresRekey.rekey({ ...options, keyring: rotated })).toMatchObject({
        rekeyed: 3,
      });
      const after = yield* openWith(options, ["k2"]);
      expect((yield* after.list()).map((entry) => entry.generation)).toEqual([3, 3, 3]);
    }).pipe(Effect.scoped),
  );

  it.live("a sealed table refuses to open without a keyring, naming the key ids", () =>
    Effect.gen(function* () {
      const { options } = yield* database;
      yield* (yield* openWith(options, ["k1"], "k1")).compareAndSet("alice", 0, tokenSet());
      const error = yield* storeFailure(PostgresTokenStore.make(options));
      expect(error?.operation).toBe("open");
      expect(error?.reason).toMatch(/^KeyMissing: the store is encrypted \(key id "k1"\)/);
    }).pipe(Effect.scoped),
  );

  it.live("tampering in the table: each a typed reason, never the contents", () =>
    Effect.gen(function* () {
      const { name, options } = yield* database;
      const store = yield* openWith(options, ["k1", "k2"]);
      const [a, b] = [tokenSet(), tokenSet()];
      yield* store.compareAndSet("alice", 0, a);
      yield* store.compareAndSet("alice", 1, a);
      yield* store.compareAndSet("bob", 0, b);
      const reasonOf = (id: string) =>
        Effect.gen(function* () {
          const error = yield* storeFailure(store.get(id));
          expect(findLeaks(errorSurfaces(error), [...secretsOf(a, b), ...keyMaterial()])).toEqual(
            [],
          );
          return error?.reason ?? "";
        });
      // alice's sealed set copied into bob's row: another id.
      yield* run(
        name,
        `UPDATE miro_token_tokens SET token_set = (SELECT token_set FROM miro_token_tokens WHERE id = 'alice') WHERE id = 'bob'`,
      );
      expect(yield* reasonOf("bob")).toMatch(/^NotAuthentic: .*\(row "bob"\)$/);
      // alice's row at another generation.
      yield* run(name, `UPDATE miro_token_tokens SET generation = 3 WHERE id = 'alice'`);
      expect(yield* reasonOf("alice")).toMatch(/^NotAuthentic: /);
      yield* run(name, `UPDATE miro_token_tokens SET generation = 2 WHERE id = 'alice'`);
      expect(Option.isSome(yield* store.get("alice"))).toBe(true);
      // A flipped bit: the ciphertext's first character changed (A <-> B flips one bit).
      yield* run(
        name,
        `UPDATE miro_token_tokens SET token_set = jsonb_set(token_set, '{sealed,ct}', to_jsonb(
           CASE WHEN left(token_set->'sealed'->>'ct', 1) = 'A' THEN 'B' ELSE 'A' END || substr(token_set->'sealed'->>'ct', 2)))
         WHERE id = 'alice'`,
      );
      expect(yield* reasonOf("alice")).toMatch(/^NotAuthentic: /);
      yield* run(
        name,
        `UPDATE miro_token_tokens SET token_set = jsonb_set(token_set, '{sealed,ct}', to_jsonb(left(token_set->'sealed'->>'ct', 30))) WHERE id = 'alice'`,
      );
      expect(yield* reasonOf("alice")).toMatch(/^Truncated: /);
      const other = Result.getOrThrow(makeKeyring("k2", { k2: Buffer.alloc(32, 7) }));
      const wrong = yield* PostgresTokenStore.make({ ...options, keyring: other });
      yield* wrong.compareAndSet("carol", 0, tokenSet());
      expect(yield* reasonOf("carol")).toMatch(/^WrongKey: /);
    }).pipe(Effect.scoped),
  );

  it.live("rekey quarantines a row whose key is missing and re-seals the others", () =>
    Effect.gen(function* () {
      const { options } = yield* database;
      yield* (yield* openWith(options, ["lost"], "lost")).compareAndSet("orphan", 0, tokenSet());
      yield* (yield* openWith(options, ["k1"], "k1")).compareAndSet("alice", 0, tokenSet());
      const report = yield* PostgresRekey.rekey({
        ...options,
        keyring: keyringOf("k2", ["k1", "k2"]),
      });
      expect(report.rekeyed).toBe(1);
      expect(report.quarantined).toEqual([
        { id: "orphan", reason: expect.stringMatching(/^KeyMissing: sealed with key "lost"/) },
      ]);
      const store = yield* openWith(options, ["k2"]);
      expect(Option.isSome(yield* store.get("alice"))).toBe(true);
      // A scan (what a watcher lists with) quarantines it by row beside the readable ones.
      const scanned = yield* store.scan!();
      expect(scanned.entries.map((entry) => entry.id)).toEqual(["alice"]);
      expect(scanned.unreadable).toEqual([
        {
          id: "orphan",
          location: 'row "orphan"',
          reason: expect.stringMatching(/^KeyMissing: sealed with key "lost"/),
        },
      ]);
    }).pipe(Effect.scoped),
  );
});
