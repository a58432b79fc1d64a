/**
 * One replica's membership of the watcher fleet and the tokens it owns. Every tick (and at
 * once when another replica joins or gives tokens back) one statement heartbeats the replica,
 * renews every ownership lease it holds and counts the live replicas and the tokens; the
 * replica then claims free or expired tokens up to its fair share
 * (`ceil(tokens / live replicas)`) with `UPDATE … WHERE token_id IN (SELECT … FOR UPDATE SKIP
 * LOCKED)`, or gives its excess back (a replica joined). Ownership is a lease judged by the
 * database's clock: a replica that stops renewing (SIGKILL, a lost host) loses its tokens to
 * the others once `leaseTtl` has passed; `leave` (the scope's finalizer: SIGTERM, after the
 * watch stopped) gives them back at once. The owned set changes only here, and each change is
 * published, so the watcher stops a lost token's loop and starts a gained one's.
 *
 * Excess given back on a rebalance is claimable only after `handoverGrace` (default: the
 * lease): this replica stops starting work on those tokens at once, but a probe or refresh it
 * already sent runs on until its answer (or its timeout), and the new owner's first probe must
 * not overlap it. Nobody watches a token during its grace: that is the price of one replica at
 * a time, paid only when the fleet rebalances (a SIGKILLed replica's tokens already wait a lease).
 *
 * @since 0.3.0
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { StoreError } from "@miro-token/core";
import { Duration, Effect, PubSub, Queue, Random, type Scope, Stream } from "effect";
import type { SqlClient } from "effect/sql/SqlClient";
import { orStoreError, type Scrub } from "../SqlFailure.ts";

/**
 * How a replica takes part in the fleet.
 *
 * @category models
 * @since 0.3.0
 */
export interface FleetOptions {
  /** This replica's id, unique in the fleet. @default `<host>:<pid>:<random>` */
  readonly replicaId?: string | undefined;
  /** How long membership and ownership last unrenewed: a killed replica's tokens are taken over after this. @default 20 seconds */
  readonly leaseTtl?: Duration.Input | undefined;
  /** How often a replica renews and rebalances. @default leaseTtl / 4 */
  readonly tickEvery?: Duration.Input | undefined;
  /**
   * How long a token given back on a rebalance stays unclaimable, so a request its old owner
   * sent before giving it back ends before the new owner's first one: at least the client's
   * per-attempt timeout (core's default 10 s; its whole deadline, 30 s, to cover retries too).
   * Not applied by `leave`, which runs once the watch has stopped. @default leaseTtl
   */
  readonly handoverGrace?: Duration.Input | undefined;
  /** Shown in `miro_token_fleet_replicas.info` (e.g. the replica's URL): nothing secret. */
  readonly info?: Readonly<Record<string, string>> | undefined;
}

/**
 * Tokens gained (with the generation stored when claimed) and lost in one tick.
 *
 * @category models
 * @since 0.3.0
 */
export interface OwnershipChange {
  readonly gained: ReadonlyArray<{ readonly id: string; readonly generation: number }>;
  readonly lost: ReadonlyArray<string>;
}

/**
 * The fleet as this replica last saw it.
 *
 * @category models
 * @since 0.3.0
 */
export interface FleetHealth {
  /** `unreachable` when the last tick failed (the reason says why, secret-free). */
  readonly database: "ok" | "unreachable";
  readonly error?: string | undefined;
  readonly replicaId: string;
  /** Live replicas, this one included. */
  readonly replicas: number;
  readonly owned: number;
  readonly tokens: number;
}

/**
 * One replica's membership.
 *
 * @category models
 * @since 0.3.0
 */
export interface FleetMembership {
  readonly replicaId: string;
  readonly owns: (id: string) => boolean;
  readonly owned: () => ReadonlySet<string>;
  /**
   * Whether this replica's ownership of `id` last ended by a handover (given back, or taken
   * over after its lease expired) rather than by the token's removal: set before the change
   * that ends the token's loop is published, so the loop's `Stopped` can be told apart.
   */
  readonly handedOver: (id: string) => boolean;
  /** Ownership changes from the moment the stream is run. */
  readonly changes: Stream.Stream<OwnershipChange>;
  /** Run a tick now (after a notification that the fleet changed). */
  readonly poke: Effect.Effect<void>;
  readonly health: () => FleetHealth;
  /** Give every token back and leave (also the scope's finalizer). */
  readonly leave: Effect.Effect<void, StoreError>;
}

/** The channel replicas notify when they join or give tokens back. */
export const FLEET_CHANNEL = "miro_token_fleet";

const millisOf = (input: Duration.Input | undefined, fallback: number) =>
  input === undefined ? fallback : Duration.toMillis(Duration.fromInputUnsafe(input));

/**
 * Join the fleet (the first tick runs before this returns, so the replica starts owning its
 * share), tick in the background, and leave when the scope closes.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeMembership = (
  sql: SqlClient,
  scrub: Scrub,
  options: FleetOptions = {},
): Effect.Effect<FleetMembership, StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope;
    const me = options.replicaId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const ttl = millisOf(options.leaseTtl, 20_000);
    const tickEvery = millisOf(options.tickEvery, ttl / 4);
    const grace = millisOf(options.handoverGrace, ttl);
    const info = JSON.stringify(options.info ?? {});
    let owned = new Set<string>();
    /** Tokens whose ownership this replica lost while they were still stored (see `handedOver`). */
    const handedOver = new Set<string>();
    let health: FleetHealth = {
      database: "ok",
      replicaId: me,
      replicas: 1,
      owned: 0,
      tokens: 0,
    };
    let joined = false;
    let left = false;
    const pubsub = yield* PubSub.unbounded<OwnershipChange>();
    const pokes = yield* Queue.sliding<void>(1);
    const after = (ms: number) =>
      sql.literal(`clock_timestamp() + ${ms}::float8 * interval '1 millisecond'`);
    const until = after(ttl);

    // A data-modifying CTE runs whether or not it is read; the counts see the snapshot before it.
    const heartbeat = sql<{
      readonly others: number;
      readonly total: number;
      readonly owned: string;
    }>`WITH hb AS (
         INSERT INTO miro_token_fleet_replicas (id, info, heartbeat_at, expires_at)
         VALUES (${me}, ${info}::jsonb, clock_timestamp(), ${until})
         ON CONFLICT (id) DO UPDATE
           SET heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at
         RETURNING id),
       renewed AS (
         UPDATE miro_token_fleet_owners SET expires_at = ${until}
         WHERE owner = ${me} RETURNING token_id)
       SELECT (SELECT count(*) FROM miro_token_fleet_replicas
                   WHERE id <> ${me} AND expires_at >= clock_timestamp())::int AS others,
              (SELECT count(*) FROM miro_token_fleet_owners)::int AS total,
              (SELECT coalesce(json_agg(token_id), '[]'::json) FROM renewed)::text AS owned`;

    const claim = (count: number) =>
      sql<{ readonly id: string; readonly generation: number }>`WITH claimed AS (
         UPDATE miro_token_fleet_owners SET owner = ${me}, expires_at = ${until}
         WHERE token_id IN (
           SELECT token_id FROM miro_token_fleet_owners
           WHERE expires_at < clock_timestamp()
           LIMIT ${count} FOR UPDATE SKIP LOCKED)
         RETURNING token_id)
       SELECT c.token_id AS id, t.generation::float8 AS generation
       FROM claimed c JOIN miro_token_tokens t ON t.id = c.token_id`;

    /**
     * Give `ids` back, claimable after the handover grace, or all of ours at once when absent
     * (leaving: the watch has stopped), and tell the others to rebalance.
     */
    const release = (ids: ReadonlyArray<string> | undefined) =>
      sql`WITH released AS (
           UPDATE miro_token_fleet_owners
           SET owner = NULL, expires_at = ${ids === undefined ? sql.literal("'-infinity'") : after(grace)}
           WHERE owner = ${me}
             AND (${ids === undefined} OR token_id IN (
               SELECT jsonb_array_elements_text(${JSON.stringify(ids ?? [])}::jsonb)))
           RETURNING 1)
         SELECT pg_notify(${FLEET_CHANNEL}, ${`members ${me}`}) FROM (SELECT count(*) FROM released) n`;

    /** Which of `ids` are still stored (a removed token's ownership row went with it). */
    const stillStored = (ids: ReadonlyArray<string>) =>
      sql<{ readonly id: string }>`SELECT id FROM miro_token_tokens
         WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`;

    const notifyJoined = sql`SELECT pg_notify(${FLEET_CHANNEL}, ${`members ${me}`})`;

    const tick = Effect.gen(function* () {
      if (left) return;
      const [row] = yield* heartbeat;
      if (!joined) {
        joined = true;
        yield* notifyJoined;
      }
      const renewed = new Set<string>(JSON.parse(row?.owned ?? "[]") as Array<string>);
      const replicas = (row?.others ?? 0) + 1;
      const total = row?.total ?? 0;
      const target = Math.ceil(total / replicas);
      const lost = [...owned].filter((id) => !renewed.has(id));
      // Not renewed: removed, or taken over by another replica after this one's lease lapsed.
      if (lost.length > 0) for (const { id } of yield* stillStored(lost)) handedOver.add(id);
      const gained: Array<{ id: string; generation: number }> = [];
      if (renewed.size < target) {
        for (const claimed of yield* claim(target - renewed.size)) {
          renewed.add(claimed.id);
          handedOver.delete(claimed.id);
          gained.push({ id: claimed.id, generation: Number(claimed.generation) });
        }
      } else if (renewed.size > target) {
        const excess = [...renewed].sort().slice(target);
        // Stop answering for them first, so no probe starts on a token being handed over.
        for (const id of excess) {
          renewed.delete(id);
          handedOver.add(id);
        }
        owned = renewed;
        lost.push(...excess);
        yield* release(excess);
        // Tell the fleet again once the grace is over: the new owner claims then, not a tick later.
        yield* Effect.forkIn(Effect.ignore(Effect.delay(notifyJoined, grace)), scope);
      }
      owned = renewed;
      health = { database: "ok", replicaId: me, replicas, owned: owned.size, tokens: total };
      if (gained.length > 0 || lost.length > 0) yield* PubSub.publish(pubsub, { gained, lost });
    }).pipe(orStoreError("fleet", scrub));

    const guardedTick = tick.pipe(
      Effect.catch((error) =>
        Effect.sync(() => {
          health = { ...health, database: "unreachable", error: error.reason };
        }),
      ),
    );

    const leave = Effect.gen(function* () {
      if (left) return;
      left = true;
      const lost = [...owned];
      for (const id of lost) handedOver.add(id);
      owned = new Set();
      if (lost.length > 0) yield* PubSub.publish(pubsub, { gained: [], lost });
      yield* release(undefined);
      yield* sql`DELETE FROM miro_token_fleet_replicas WHERE id = ${me}`;
    }).pipe(orStoreError("fleet", scrub));

    yield* tick;
    yield* Effect.addFinalizer(() => Effect.ignore(leave));
    // Ticks run on one fiber: on the interval, or soon after a poke (a short random delay lets
    // several notifications coalesce and keeps replicas from answering in lockstep).
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          yield* Effect.raceFirst(Effect.sleep(tickEvery), Queue.take(pokes));
          yield* Effect.sleep(Math.floor(20 + (yield* Random.next) * 80));
          yield* guardedTick;
        }),
      ),
    );

    return {
      replicaId: me,
      owns: (id) => owned.has(id),
      owned: () => owned,
      handedOver: (id) => handedOver.has(id),
      changes: Stream.fromPubSub(pubsub),
      poke: Effect.asVoid(Queue.offer(pokes, undefined)),
      health: () => health,
      leave,
    } satisfies FleetMembership;
  });
