/**
 * A throwaway PostgreSQL for the watcher's fleet tests: store-postgres's provisioning (Debian's
 * `postgresql`, installed when missing; `initdb` into a temp directory; stopped at the end),
 * one migrated database per test, and the fleet's token seeding from emulator-issued tokens.
 */
import { randomBytes } from "node:crypto";
import type { TokenSet } from "@miro-token/core";
import { type PostgresStoreOptions, PostgresTokenStore } from "@miro-token/store-postgres";
import { Effect, Redacted } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { afterAll, beforeAll } from "vitest";
import {
  type PostgresCluster,
  startCluster,
} from "../../../../packages/store-postgres/test/provision/PostgresCluster.ts";
import { killAllReplicas } from "./ReplicaProcess.ts";

/** Start a cluster (call `stop()` in `afterAll`). */
export const startPostgres = (): Promise<PostgresCluster> => startCluster();

/**
 * A cluster for the calling test file of replica processes: started before its tests; after
 * them every replica still running is killed, then the cluster is stopped. Read `.cluster` in a
 * test.
 */
export const clusterForReplicas = (): { cluster: PostgresCluster } => {
  const held = {} as { cluster: PostgresCluster };
  beforeAll(async () => {
    held.cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await killAllReplicas();
    held.cluster?.stop();
  });
  return held;
};

/** A fresh migrated database on `cluster` and the store options that reach it. */
export const migratedDatabase = async (
  cluster: PostgresCluster,
  maxConnections = 4,
): Promise<PostgresStoreOptions> => {
  const name = `w_${randomBytes(6).toString("hex")}`;
  const admin = { url: Redacted.make(cluster.urlOf("postgres")), maxConnections: 1 };
  await Effect.runPromise(
    Effect.flatMap(SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`)).pipe(
      Effect.provide(PostgresTokenStore.clientLayer(admin)),
      Effect.orDie,
    ),
  );
  const options = { url: Redacted.make(cluster.urlOf(name)), maxConnections };
  await Effect.runPromise(Effect.orDie(PostgresTokenStore.migrate(options)));
  return options;
};

/** Store `entries` as generation 1 each. */
export const storeTokens = (
  options: PostgresStoreOptions,
  entries: ReadonlyArray<{ readonly id: string; readonly tokenSet: TokenSet }>,
): Promise<void> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* PostgresTokenStore.make(options);
        yield* Effect.forEach(entries, ({ id, tokenSet }) => store.compareAndSet(id, 0, tokenSet), {
          concurrency: 4,
          discard: true,
        });
      }),
    ).pipe(Effect.orDie),
  );
