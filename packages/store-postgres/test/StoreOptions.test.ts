// The configurable parts, against the real server: the pool never opens more connections than
// `maxConnections`, and `statementTimeout` bounds a statement stuck behind another session's
// row lock (a StoreError naming the timeout, not a hang).
import { describe, expect, it } from "@effect/vitest";
import { storeTokenSet } from "@miro-token/testkit";
import { Deferred, Effect, Redacted } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase, withSql } from "./Databases.ts";

describe("store options", () => {
  it.live("maxConnections caps the pool under 32 concurrent calls", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase({ maxConnections: 2, applicationName: "cap-test" });
      const store = yield* PostgresTokenStore.make(options);
      const name = new URL(Redacted.value(options.url)).pathname.slice(1);
      const counts = yield* Effect.forEach(
        Array.from({ length: 32 }, (_, i) => i),
        () =>
          store.get("nobody").pipe(
            Effect.andThen(
              withSql(
                name,
                Effect.flatMap(
                  SqlClient,
                  (sql) => sql<{
                    readonly n: number;
                  }>`SELECT count(*)::int AS n FROM pg_stat_activity
                                                       WHERE application_name = 'cap-test'`,
                ),
              ),
            ),
          ),
        { concurrency: "unbounded" },
      );
      const most = Math.max(...counts.map((rows) => rows[0]?.n ?? 0));
      expect(most).toBeGreaterThanOrEqual(1);
      expect(most).toBeLessThanOrEqual(2);
    }).pipe(Effect.scoped),
  );

  it.live("statementTimeout fails a blocked compareAndSet with a StoreError", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase({ statementTimeout: "300 millis" });
      const store = yield* PostgresTokenStore.make(options);
      yield* store.compareAndSet("alice", 0, storeTokenSet(1));
      const name = new URL(Redacted.value(options.url)).pathname.slice(1);
      const locked = yield* Deferred.make<void>();
      const release = yield* Deferred.make<void>();
      // Another session holds the row lock (its own connection, no statement timeout).
      yield* Effect.forkChild(
        withSql(
          name,
          Effect.flatMap(SqlClient, (sql) =>
            sql.withTransaction(
              sql`SELECT id FROM miro_token_tokens WHERE id = 'alice' FOR UPDATE`.pipe(
                Effect.andThen(Deferred.succeed(locked, undefined)),
                Effect.andThen(Deferred.await(release)),
              ),
            ),
          ),
        ),
      );
      yield* Deferred.await(locked);
      const started = performance.now();
      const error = yield* Effect.flip(store.compareAndSet("alice", 1, storeTokenSet(2)));
      const took = performance.now() - started;
      yield* Deferred.succeed(release, undefined);
      expect(error._tag).toBe("StoreError");
      expect(error.message).toContain("57014");
      expect(took).toBeLessThan(3_000);
    }).pipe(Effect.scoped),
  );
});
