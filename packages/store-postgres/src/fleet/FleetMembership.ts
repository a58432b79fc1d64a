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
import { Clock, Duration, Effect, PubSub, Queue, Random, type Scope, Stream } from "effect";
import type { SqlClient } from "effect/sql/SqlClient";
import { orStoreError, type Scrub } from "../SqlFailure.ts";
import { ownershipStatements } from "./OwnershipStatements.ts";

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
 * A token gained: the generation stored when claimed, and whether a replica watched it before
 * (a takeover or a token regained, as opposed to a token nobody watched yet).
 *
 * @category models
 * @since 0.4.0
 */
export interface GainedToken {
  readonly id: string;
  readonly generation: number;
  readonly watched: boolean;
}

/**
 * Tokens gained and lost in one tick.
 *
 * @category models
 * @since 0.3.0
 */
export interface OwnershipChange {
  readonly gained: ReadonlyArray<GainedToken>;
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

/**
 * The fleet's lease when `leaseTtl` is not given.
 *
 * @category constants
 * @since 0.4.0
 */
export const DEFAULT_FLEET_LEASE_TTL_MS = 20_000;

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
    const ttl = millisOf(options.leaseTtl, DEFAULT_FLEET_LEASE_TTL_MS);
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
    /** When the last renewal that reached the database was sent (this replica's clock). */
    let renewedAt = yield* Clock.currentTimeMillis;
    const pubsub = yield* PubSub.unbounded<OwnershipChange>();
    const pokes = yield* Queue.sliding<void>(1);
    const { heartbeat, claim, release, stillStored, notifyJoined } = ownershipStatements(sql, {
      me,
      info,
      ttl,
      grace,
    });

    const tick = Effect.gen(function* () {
      if (left) return;
      const started = yield* Clock.currentTimeMillis;
      const [row] = yield* heartbeat;
      renewedAt = started;
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
      const gained: Array<GainedToken> = [];
      // Renewed but not held: given up while the database did not answer (`standDown`), and
      // nobody claimed them meanwhile: this replica's again.
      const regained = [...renewed].filter((id) => !owned.has(id));
      for (const { id, generation } of regained.length > 0 ? yield* stillStored(regained) : []) {
        handedOver.delete(id);
        gained.push({ id, generation: Number(generation), watched: true });
      }
      if (renewed.size < target) {
        for (const { id, generation, watched } of yield* claim(target - renewed.size)) {
          renewed.add(id);
          handedOver.delete(id);
          gained.push({ id, generation: Number(generation), watched: Boolean(watched) });
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

    /**
     * Give up every token, locally, once the last renewal that reached the database is so old
     * that the leases may lapse before the next tick: the others claim them when they do, and
     * this replica must have stopped probing by then. Judged on this replica's clock from the
     * moment the renewal was sent (never later than the database's own), with one tick (at most
     * half the lease) to spare.
     */
    const standDown = Effect.gen(function* () {
      if (left || owned.size === 0) return;
      if ((yield* Clock.currentTimeMillis) - renewedAt < ttl - Math.min(tickEvery, ttl / 2)) return;
      const lost = [...owned];
      for (const id of lost) handedOver.add(id);
      owned = new Set();
      health = { ...health, owned: 0 };
      yield* PubSub.publish(pubsub, { gained: [], lost });
    });

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

    // The watchdog runs beside the ticks: a tick can hang on a dead connection for a long time.
    yield* Effect.forkScoped(
      Effect.forever(Effect.andThen(Effect.sleep(Math.max(10, tickEvery / 4)), standDown)),
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
