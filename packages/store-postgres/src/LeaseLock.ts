/**
 * `withLock` as a lease in `miro_token_leases`: a row (id, owner, expiry) taken with one
 * conditional upsert, renewed while the holder runs, deleted when it exits. No transaction is
 * held open while the locked effect runs (it may wait seconds on Miro). Expiry is judged by
 * the database's clock, so replicas with skewed clocks agree. A holder that dies stops
 * renewing; its lease is taken over once it expires. A holder that stalls past its lease may
 * still try to write afterwards: the generation compare-and-set is the fence that refuses it.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto";
import { StoreError } from "@miro-token/core";
import { makeKeyedLock } from "@miro-token/core/internal";
import { Clock, Duration, Effect, Schedule, type Scope } from "effect";
import type { SqlClient } from "effect/sql/SqlClient";
import { orStoreError, type Scrub } from "./SqlFailure.ts";

/**
 * Lease timing.
 *
 * @category models
 * @since 0.1.0
 */
export interface LeaseOptions {
  /** How long a lease lasts without renewal: a dead holder's lease is free after this. @default 30 seconds */
  readonly ttl?: Duration.Input | undefined;
  /** How often a holder renews. @default ttl / 3 */
  readonly renewEvery?: Duration.Input | undefined;
  /** How often a waiter tries again. @default 100 millis */
  readonly pollEvery?: Duration.Input | undefined;
  /** How long a waiter waits before failing with `StoreError`. @default ttl * 2 */
  readonly waitTimeout?: Duration.Input | undefined;
}

interface LeaseTiming {
  readonly ttlMs: number;
  readonly renewEvery: Duration.Duration;
  readonly pollEvery: Duration.Duration;
  readonly waitTimeoutMs: number;
}

const timingOf = (options: LeaseOptions = {}): LeaseTiming => {
  const ttlMs = Duration.toMillis(options.ttl ?? "30 seconds");
  return {
    ttlMs,
    renewEvery: Duration.fromInputUnsafe(options.renewEvery ?? Duration.millis(ttlMs / 3)),
    pollEvery: Duration.fromInputUnsafe(options.pollEvery ?? "100 millis"),
    waitTimeoutMs: Duration.toMillis(options.waitTimeout ?? Duration.millis(ttlMs * 2)),
  };
};

/**
 * The `withLock` of one store instance.
 *
 * @category models
 * @since 0.1.0
 */
export type WithLease = <A, E, R>(
  id: string,
  effect: Effect.Effect<A, E, R>,
) => Effect.Effect<A, E | StoreError, R>;

/**
 * Build `withLock` over `sql`. Fibers of this process queue on an in-memory semaphore per id
 * first, so only one of them polls the database for a given id.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeLease = (sql: SqlClient, scrub: Scrub, options?: LeaseOptions): WithLease => {
  const timing = timingOf(options);
  const instance = `${process.pid}:${randomUUID()}`;
  let acquisitions = 0;
  const locks = makeKeyedLock();
  const ttl = timing.ttlMs;

  const tryTake = (id: string, owner: string) =>
    sql<{ readonly owner: string }>`
      INSERT INTO miro_token_leases (id, owner, expires_at)
      VALUES (${id}, ${owner}, clock_timestamp() + ${ttl}::float8 * interval '1 millisecond')
      ON CONFLICT (id) DO UPDATE
        SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
        WHERE miro_token_leases.expires_at < clock_timestamp()
      RETURNING owner`.pipe(
      Effect.map((rows) => rows.length === 1),
      orStoreError("lock", scrub),
    );

  const release = (id: string, owner: string) =>
    sql`DELETE FROM miro_token_leases WHERE id = ${id} AND owner = ${owner}`.pipe(
      // Unreleased, the lease simply expires.
      Effect.catch(() => Effect.void),
    );

  /** Poll until taken (interruptible between attempts); the release joins the scope. */
  const take = (id: string, owner: string): Effect.Effect<void, StoreError, Scope.Scope> =>
    Effect.gen(function* () {
      const deadline = (yield* Clock.currentTimeMillis) + timing.waitTimeoutMs;
      for (;;) {
        const taken = yield* Effect.acquireRelease(tryTake(id, owner), (got) =>
          got ? release(id, owner) : Effect.void,
        );
        if (taken) return;
        if ((yield* Clock.currentTimeMillis) >= deadline) {
          return yield* new StoreError({
            attempts: 0,
            operation: "lock",
            reason: `timed out after ${timing.waitTimeoutMs} ms waiting for the lease on ${JSON.stringify(id)}`,
          });
        }
        yield* Effect.sleep(timing.pollEvery);
      }
    });

  const renew = (id: string, owner: string) =>
    sql`UPDATE miro_token_leases
        SET expires_at = clock_timestamp() + ${ttl}::float8 * interval '1 millisecond'
        WHERE id = ${id} AND owner = ${owner}
        RETURNING id`.pipe(
      Effect.flatMap((rows) =>
        rows.length === 1
          ? Effect.void
          : Effect.logWarning(
              `lease on ${JSON.stringify(id)} was lost (expired and taken over); the generation fence guards the write`,
            ),
      ),
      // A failed renewal is tried again at the next tick; the lease may expire meanwhile.
      Effect.catch(() => Effect.void),
    );

  return (id, effect) =>
    locks.withLock(
      id,
      Effect.scoped(
        Effect.gen(function* () {
          const owner = `${instance}:${++acquisitions}`;
          yield* take(id, owner);
          yield* Effect.forkScoped(
            Effect.repeat(renew(id, owner), Schedule.spaced(timing.renewEvery)).pipe(
              Effect.delay(timing.renewEvery),
            ),
          );
          return yield* effect;
        }),
      ),
    );
};
