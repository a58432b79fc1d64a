// Following a store's change stream in tests: run it into a queue, wait until its LISTEN is
// in place (a backend of the database whose last statement was LISTEN), take the next change
// within 1 s.
import { PgClient } from "@effect/sql-pg";
import type { StoreChange, TokenStoreShape } from "@miro-token/core";
import { Effect, Queue, Redacted, Stream } from "effect";
import { SqlClient } from "effect/sql/SqlClient";

/** The database name of a store URL. */
export const databaseOf = (url: Redacted.Redacted<string>) =>
  new URL(Redacted.value(url)).pathname.slice(1);

/** The listener backends of the database at `url` (sessions whose last statement was LISTEN). */
export const listeners = (url: Redacted.Redacted<string>) =>
  Effect.flatMap(
    SqlClient,
    (sql) => sql<{ readonly pid: number }>`
      SELECT pid FROM pg_stat_activity
      WHERE datname = ${databaseOf(url)} AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
  ).pipe(Effect.provide(PgClient.layer({ url, maxConnections: 1 })), Effect.orDie);

/** Wait (polling, at most 5 s) until the database at `url` has `count` listeners. */
export const awaitListeners = (url: Redacted.Redacted<string>, count = 1) =>
  Effect.gen(function* () {
    for (let i = 0; i < 250; i++) {
      const rows = yield* listeners(url);
      if (rows.length >= count) return rows;
      yield* Effect.sleep("20 millis");
    }
    throw new Error("the listener never ran LISTEN");
  });

/** Run `store.changes()` into a queue for the test's scope. */
export const follow = (store: TokenStoreShape) =>
  Effect.gen(function* () {
    const changes = store.changes;
    if (changes === undefined) throw new Error("the store has no change stream");
    const seen = yield* Queue.unbounded<StoreChange>();
    yield* Effect.forkScoped(Stream.runForEach(changes(), (change) => Queue.offer(seen, change)));
    return seen;
  });

/** The next change, failing the test when none comes within 1 s. */
export const next = (seen: Queue.Queue<StoreChange>) =>
  Queue.take(seen).pipe(
    Effect.timeoutOrElse({
      duration: "1 second",
      orElse: () => Effect.die(new Error("no change within 1 s")),
    }),
  );
