// The store's change stream over LISTEN/NOTIFY: a write or delete by another store instance
// (its own pool, as another process would have) reaches a listener within 1 s, carried by the
// write's own statement (no scan); an intent is not a change; a listener whose connection is
// killed reconnects and says `Resync` first.
import { describe, expect, it } from "@effect/vitest";
import { storeTokenSet } from "@miro-token/testkit";
import { Effect, Queue } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { PostgresTokenStore } from "../src/index.ts";
import { awaitListeners, databaseOf, follow, next } from "./ChangeListeners.ts";
import { migratedDatabase, withSql } from "./Databases.ts";

describe("changes (LISTEN/NOTIFY)", () => {
  it.live("another instance's add, rotation and delete reach the listener within 1 s each", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const listener = yield* PostgresTokenStore.make(options);
      const writer = yield* PostgresTokenStore.make(options);
      const seen = yield* follow(listener);
      yield* awaitListeners(options.url);

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
      const [first] = yield* awaitListeners(options.url);
      yield* withSql(
        name,
        Effect.flatMap(SqlClient, (sql) => sql`SELECT pg_terminate_backend(${first?.pid ?? 0})`),
      );
      expect(yield* Queue.take(seen).pipe(Effect.timeout("5 seconds"))).toEqual({
        _tag: "Resync",
      });
      yield* awaitListeners(options.url);
      yield* store.compareAndSet("bob", 0, storeTokenSet(1));
      expect(yield* next(seen)).toEqual({ _tag: "Written", id: "bob", generation: 1 });
    }).pipe(Effect.scoped),
  );

  it.live("a listener holds a connection of its own: a pool of one still serves the store", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase({ maxConnections: 1 });
      const store = yield* PostgresTokenStore.make(options);
      const seen = yield* follow(store);
      yield* awaitListeners(options.url);
      const written = yield* store
        .compareAndSet("carol", 0, storeTokenSet(1))
        .pipe(Effect.timeout("5 seconds"));
      expect(written._tag).toBe("Written");
      expect(yield* next(seen)).toEqual({ _tag: "Written", id: "carol", generation: 1 });
    }).pipe(Effect.scoped),
  );
});
