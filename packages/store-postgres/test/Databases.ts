// A fresh database per test on the throwaway cluster, dropped when the test's scope closes,
// and the store options that reach it.
import { randomBytes } from "node:crypto";
import { PgClient } from "@effect/sql-pg";
import { Effect, Exit, Redacted, type Scope } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { inject } from "vitest";
import { type PostgresStoreOptions, PostgresTokenStore } from "../src/index.ts";

/** Lease timing for tests: short enough to watch a takeover, polling fast enough for rounds. */
export const TEST_LEASE = { ttl: "2 seconds", pollEvery: "20 millis" } as const;

/** The cluster's admin URL (superuser, `postgres` database). */
export const adminUrl = (): string => inject("postgresAdminUrl");

/** The URL of database `name` on the cluster. */
export const urlOf = (name: string): string => {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
};

const admin = <A, E>(effect: Effect.Effect<A, E, SqlClient>) =>
  effect.pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(adminUrl()), maxConnections: 1 })),
    Effect.orDie,
  );

/** A new empty database, dropped (connections forced off) when the scope closes. */
export const freshDatabase: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.gen(function* () {
    const name = `t_${randomBytes(6).toString("hex")}`;
    yield* admin(Effect.flatMap(SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`)));
    return name;
  }),
  (name) =>
    admin(
      Effect.flatMap(SqlClient, (sql) =>
        sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ),
    ).pipe(Effect.ignore),
);

/** Store options for database `name` (short leases unless overridden). */
export const optionsOf = (
  name: string,
  overrides: Partial<PostgresStoreOptions> = {},
): PostgresStoreOptions => ({
  url: Redacted.make(urlOf(name)),
  maxConnections: 4,
  ...overrides,
});

/** A migrated fresh database's store options. */
export const migratedDatabase = (overrides: Partial<PostgresStoreOptions> = {}) =>
  Effect.gen(function* () {
    const name = yield* freshDatabase;
    const options = optionsOf(name, overrides);
    yield* Effect.orDie(PostgresTokenStore.migrate(options));
    return options;
  });

/** Run `effect` with the SqlClient of database `name`. */
export const withSql = <A, E>(name: string, effect: Effect.Effect<A, E, SqlClient>) =>
  effect.pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(urlOf(name)), maxConnections: 1 })),
  );

/** The typed failure of an exit that must have failed. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (reason === undefined || reason._tag !== "Fail") throw new Error("expected a typed failure");
  return reason.error;
};
