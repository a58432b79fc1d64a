// The store's change stream over LISTEN/NOTIFY: a write or delete by another store instance
// (its own pool, as another process would have) reaches a listener within 1 s, carried by the
// write's own statement (no scan); an intent is not a change; a listener whose connection is
// killed reconnects and says `Resync` first.
import { describe, expect, it } from "@effect/vitest";
import type { StoreChange, TokenStoreShape } from "@miro-token/core";
import { storeTokenSet } from "@miro-token/testkit";
import { Effect, Queue, Redacted, Stream } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase, withSql } from "./Databases.ts";

const databaseOf = (url: Redacted.Redacted<string>) =>
  new URL(Redacted.value(url)).pathname.slice(1);

/** The listener backends of database `name` (a session whose last statement was LISTEN). */
const listeners = (name: string) =>
  withSql(
    name,
    Effect.flatMap(
      SqlClient,
      (sql) => sql<{ readonly pid: number }>`
        SELECT pid FROM pg_stat_activity
        WHERE datname = ${name} AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    ),
  );

/** Wait (polling, at most 5 s) until database `name` has `count` listeners. */
const awaitListeners = (name: string, count = 1) =>
  Effect.gen(function* () {
    for (let i = 0; i < 250; i++) {
      const rows = yield* listeners(name);
      if (rows.length >= count) return rows;
      yield* Effect.sleep("20 millis");
    }
    throw new Error("the listener never ran LISTEN");
  });

/** Run `store.changes()` into a queue for the test's scope. */
const follow = (store: TokenStoreShape) =>
  Effect.gen(function* () {
    const changes = store.changes;
    if (changes === undefined) throw new Error("the store has no change stream");
    const seen = yield* Queue.unbounded<StoreChange>();
    yield* Effect.forkScoped(Stream.runForEach(changes(), (change) => Queue.offer(seen, change)));
    return seen;
  });

/** The next change, failing the test when none comes within 1 s. */
const next = (seen: Queue.Queue<StoreChange>) =>
  Queue.take(seen).pipe(
    Effect.timeoutOrElse({
      duration: "1 second",
      onTimeout: () => Effect.die(new Error("no change within 1 s")),
    }),
  );

describe("changes (LISTEN/NOTIFY)", () => {
  it.live("another instance's add, rotation and delete reach the listener within 1 s each", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const listener = yield* PostgresTokenStore.make(options);
      const writer = yield* PostgresTokenStore.make(options);
      const seen = yield* follow(listener);
      yield* awaitListeners(databaseOf(options.url));

      yield* writer.compareAndSet("alice", 0, storeTokenSet(1));
      expect(yield* next(seen)).toEqual({ _tag: "Written", id: "alice", generation: 1 });
      // A lost race writes nothing and says nothing.
      expect((yield* writer.compareAndSet("alice", 0, storeTokenSet(9)))._tag).toBe("Conflict");
      yield* writer.recordRefreshIntent("alice", { generation: 1, startedAt: 1 });
      yield* writer.compareAndSet("alice", 1, storeTokenSet(2));
      expect(yield* next(seen)).toEqual({ _tag: "Written", id: "alice", generation: 2 });
      yield* writer.delete("alice");
      expect(yield* next(seen)).toEqual({ _tag: "Deleted", id: "alice" });
      yield* writer.delete("alice");
      yield* Effect.sleep("200 millis");
      expect(yield* Queue.size(seen)).toBe(0);
    }).pipe(Effect.scoped),
  );

  it.live("a listener whose connection is killed reconnects and emits Resync first", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase({ reconnect: { initial: "50 millis" } });
      const store = yield* PostgresTokenStore.make(options);
      const name = databaseOf(options.url);
      const seen = yield* follow(store);
      const [first] = yield* awaitListeners(name);
      yield* withSql(
        name,
        Effect.flatMap(SqlClient, (sql) => sql`SELECT pg_terminate_backend(${first?.pid ?? 0})`),
      );
      expect(yield* Queue.take(seen).pipe(Effect.timeout("5 seconds"))).toEqual({
        _tag: "Resync",
      });
      yield* awaitListeners(name);
      yield* store.compareAndSet("bob", 0, storeTokenSet(1));
      expect(yield* next(seen)).toEqual({ _tag: "Written", id: "bob", generation: 1 });
    }).pipe(Effect.scoped),
  );
});
