// Numbered migrations on a real database: an unmigrated or newer schema stops the store with
// a typed error that says what to run (and never shows the password); `migrate` applies each
// migration once, also when several migrators race.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Redacted } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import {
  currentVersion,
  MIGRATIONS,
  PostgresTokenStore,
  SCHEMA_VERSION,
  SchemaVersionError,
} from "../src/index.ts";
import { failureOf, freshDatabase, optionsOf, withSql } from "./Databases.ts";

describe("migrations", () => {
  it.live(
    "an unmigrated database stops the store with a SchemaVersionError saying what to run",
    () =>
      Effect.gen(function* () {
        const name = yield* freshDatabase;
        const options = optionsOf(name);
        const error = failureOf(yield* Effect.exit(PostgresTokenStore.make(options)));
        expect(error).toBeInstanceOf(SchemaVersionError);
        expect(error).toMatchObject({ found: 0, expected: SCHEMA_VERSION });
        const { password, port } = new URL(Redacted.value(options.url));
        expect(error.message).toContain(
          `miro-token store migrate --store postgres://postgres@127.0.0.1:${port}/${name}`,
        );
        expect(error.message).not.toContain(decodeURIComponent(password));
      }).pipe(Effect.scoped),
  );

  it.live("migrate applies every migration once and records it; a second run applies none", () =>
    Effect.gen(function* () {
      const name = yield* freshDatabase;
      const options = optionsOf(name);
      const first = yield* PostgresTokenStore.migrate(options);
      expect(first).toEqual({
        from: 0,
        to: SCHEMA_VERSION,
        applied: MIGRATIONS.map((m) => `${m.version}_${m.name}`),
      });
      expect(yield* PostgresTokenStore.migrate(options)).toEqual({
        from: SCHEMA_VERSION,
        to: SCHEMA_VERSION,
        applied: [],
      });
      const rows = yield* withSql(
        name,
        Effect.flatMap(SqlClient, (sql) => sql`SELECT version, name FROM miro_token_migrations`),
      );
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      yield* PostgresTokenStore.make(options);
    }).pipe(Effect.scoped),
  );

  it.live("4 migrators racing on one database: each migration is applied exactly once", () =>
    Effect.gen(function* () {
      const name = yield* freshDatabase;
      const results = yield* Effect.all(
        [1, 2, 3, 4].map(() => PostgresTokenStore.migrate(optionsOf(name))),
        { concurrency: "unbounded" },
      );
      expect(results.flatMap((r) => r.applied)).toEqual(
        MIGRATIONS.map((m) => `${m.version}_${m.name}`),
      );
      expect(yield* withSql(name, currentVersion)).toBe(SCHEMA_VERSION);
    }).pipe(Effect.scoped),
  );

  it.live("a schema newer than this code stops the store and refuses to migrate", () =>
    Effect.gen(function* () {
      const name = yield* freshDatabase;
      const options = optionsOf(name);
      yield* PostgresTokenStore.migrate(options);
      const newer = SCHEMA_VERSION + 1;
      yield* withSql(
        name,
        Effect.flatMap(
          SqlClient,
          (sql) =>
            sql`INSERT INTO miro_token_migrations (version, name) VALUES (${newer}, 'future')`,
        ),
      );
      const opened = failureOf(yield* Effect.exit(PostgresTokenStore.make(options)));
      expect(opened).toMatchObject({ _tag: "SchemaVersionError", found: newer });
      expect(opened.message).toContain("newer than this code");
      expect(opened.message).toContain("upgrade @miro-token/store-postgres");
      const migrated = failureOf(yield* Effect.exit(PostgresTokenStore.migrate(options)));
      expect(migrated).toMatchObject({ _tag: "SchemaVersionError", found: newer });
    }).pipe(Effect.scoped),
  );
});
