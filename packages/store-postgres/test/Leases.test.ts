// `withLock` as a lease, seen from the database: the lease row exists only while held, a
// holder that runs longer than the lease keeps it by renewing, a lease left by a dead holder is
// taken over once it expires (not before), and a waiter gives up with a StoreError. Two store
// instances stand for two replicas (each has its own pool and in-process queue). A fleet's locks
// last its lease.
import { describe, expect, it } from "@effect/vitest";
import { StoreError } from "@miro-token/core";
import { Deferred, Effect, Exit, Fiber, Redacted } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { PostgresFleet, type PostgresStoreOptions, PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase, withSql } from "./Databases.ts";

const dbName = (options: PostgresStoreOptions) =>
  new URL(Redacted.value(options.url)).pathname.slice(1);

const leases = (options: PostgresStoreOptions) =>
  withSql(
    dbName(options),
    Effect.flatMap(
      SqlClient,
      (sql) => sql<{ readonly id: string }>`SELECT id FROM miro_token_leases`,
    ),
  ).pipe(Effect.orDie);

/** Seconds left on each lease, by the database's clock. */
const leaseSecondsLeft = (options: PostgresStoreOptions) =>
  withSql(
    dbName(options),
    Effect.flatMap(
      SqlClient,
      (sql) => sql<{ readonly left: number }>`
        SELECT extract(epoch FROM expires_at - clock_timestamp())::float8 AS left
        FROM miro_token_leases`,
    ),
  ).pipe(
    Effect.orDie,
    Effect.map((rows) => rows.map((row) => Number(row.left))),
  );

describe("lease locks", () => {
  it.live("a fleet's refresh locks last the fleet's lease, as its ownership does", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const member = yield* PostgresFleet.make(options, { leaseTtl: 3_000 });
      const [left] = yield* member.wholeStore.withLock("alice", leaseSecondsLeft(options));
      // Not the store's 30 s default: a SIGKILLed replica's refreshes are free after 3 s.
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(3);
    }).pipe(Effect.scoped),
  );

  it.live("the lease row exists while held and is gone after release", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const store = yield* PostgresTokenStore.make(options);
      const inside = yield* store.withLock("alice", leases(options));
      expect(inside.map((row) => row.id)).toEqual(["alice"]);
      expect(yield* leases(options)).toEqual([]);
    }).pipe(Effect.scoped),
  );

  it.live("a holder busy for 4 leases' time keeps its lease by renewing it", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase({
        lease: { ttl: "500 millis", pollEvery: "20 millis", waitTimeout: "10 seconds" },
      });
      const replicaA = yield* PostgresTokenStore.make(options);
      const replicaB = yield* PostgresTokenStore.make(options);
      const release = yield* Deferred.make<void>();
      const held = yield* Deferred.make<void>();
      const order: Array<string> = [];
      const holder = yield* Effect.forkChild(
        replicaA.withLock(
          "alice",
          Deferred.succeed(held, undefined).pipe(
            Effect.andThen(Deferred.await(release)),
            Effect.andThen(Effect.sync(() => order.push("A out"))),
          ),
        ),
      );
      yield* Deferred.await(held);
      const waiter = yield* Effect.forkChild(
        replicaB.withLock(
          "alice",
          Effect.sync(() => order.push("B in")),
        ),
      );
      yield* Effect.sleep("2 seconds");
      expect(order).toEqual([]);
      yield* Deferred.succeed(release, undefined);
      yield* Fiber.join(holder);
      yield* Fiber.join(waiter);
      expect(order).toEqual(["A out", "B in"]);
    }).pipe(Effect.scoped),
  );

  it.live("a dead holder's lease is taken over once it expires, not before", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase({ lease: { pollEvery: "20 millis" } });
      const store = yield* PostgresTokenStore.make(options);
      // What a SIGKILLed replica leaves behind: its lease, 1.5 s from expiry, never renewed.
      yield* withSql(
        dbName(options),
        Effect.flatMap(
          SqlClient,
          (sql) => sql`INSERT INTO miro_token_leases (id, owner, expires_at)
                       VALUES ('alice', 'dead-replica', clock_timestamp() + interval '1500 milliseconds')`,
        ),
      );
      const started = performance.now();
      yield* store.withLock("alice", Effect.void);
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThan(1_200);
      expect(waited).toBeLessThan(5_000);
    }).pipe(Effect.scoped),
  );

  it.live("a waiter gives up after waitTimeout with a StoreError naming the id", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase({
        lease: { ttl: "30 seconds", pollEvery: "50 millis", waitTimeout: "600 millis" },
      });
      const replicaA = yield* PostgresTokenStore.make(options);
      const replicaB = yield* PostgresTokenStore.make(options);
      const held = yield* Deferred.make<void>();
      yield* Effect.forkChild(
        replicaA.withLock(
          "alice",
          Deferred.succeed(held, undefined).pipe(Effect.andThen(Effect.never)),
        ),
      );
      yield* Deferred.await(held);
      const exit = yield* Effect.exit(replicaB.withLock("alice", Effect.void));
      expect(Exit.isFailure(exit)).toBe(true);
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined;
      expect(error?._tag === "Fail" && error.error).toBeInstanceOf(StoreError);
      expect(error?._tag === "Fail" && String(error.error.message)).toContain('"alice"');
    }).pipe(Effect.scoped),
  );
});
