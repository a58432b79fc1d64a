/**
 * One watcher replica's handle on the fleet: its own pool, the store narrowed to the tokens it
 * owns (`FleetStore.ts`), its membership (`FleetMembership.ts`), the shared status table with a
 * batching writer (`FleetStatus.ts`), and the process's one `LISTEN` connection
 * (`PostgresListener.ts`), on the fleet's channel and the store's change channel at once: the
 * store's `changes()` (and so the owned view's) is fed from it rather than from a connection of
 * its own. A notification that a replica joined or gave tokens back, or that a token was added
 * (generation 1), makes this one rebalance at once; one that statuses were written pings
 * `statusChanges`, so the watcher reads the rows that changed. The listener reconnects with
 * backoff after the connection drops (a PostgreSQL restart) and pings once it is back
 * (notifications sent meanwhile are lost: the status reader catches up by sequence number, the
 * change stream emits `Resync`); a slow poll covers anything else missed. Closing the scope
 * flushes the status writer, gives every token back and leaves the fleet.
 *
 * @since 0.3.0
 */
import type { StoreChange, StoreError, TokenStoreShape } from "@miro-token/core";
import { Context, Duration, Effect, Layer, PubSub, type Scope, Stream } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { CHANGES_CHANNEL, changesHeard } from "../PostgresChanges.ts";
import { type Heard, listen } from "../PostgresListener.ts";
import { clientLayer, makeWith, scrubOf } from "../PostgresTokenStore.ts";
import type { SchemaVersionError } from "../SchemaVersionError.ts";
import { type PostgresStoreOptions, poolConfigOf } from "../StoreOptions.ts";
import {
  DEFAULT_FLEET_LEASE_TTL_MS,
  type FleetHealth,
  type FleetMembership,
  type FleetOptions,
  makeMembership,
} from "./FleetMembership.ts";
import {
  type FleetStatus,
  makeFleetStatus,
  makeStatusWriter,
  type StatusWriter,
} from "./FleetStatus.ts";
import { ownedStore } from "./FleetStore.ts";
import { FLEET_CHANNEL } from "./OwnershipStatements.ts";

/**
 * Fleet options plus the status writer's and reader's cadence.
 *
 * @category models
 * @since 0.3.0
 */
export interface PostgresFleetOptions extends FleetOptions {
  /** How often queued status rows are written. @default 250 millis */
  readonly statusFlushEvery?: Duration.Input | undefined;
  /** How often statuses are read even without a notification. @default 5 seconds */
  readonly statusPollEvery?: Duration.Input | undefined;
  /**
   * How long the status row of a removed token is kept (for the other replicas' readers to show
   * the removal) before it is deleted; the check runs as often. @default 1 minute
   */
  readonly statusPruneAfter?: Duration.Input | undefined;
}

/**
 * A replica's handle on the fleet.
 *
 * @category models
 * @since 0.3.0
 */
export interface PostgresFleet {
  readonly replicaId: string;
  /** The tokens this replica owns (what its watcher watches). */
  readonly store: TokenStoreShape;
  /** The whole store (for checks such as "was this token deleted or handed over?"). */
  readonly wholeStore: TokenStoreShape;
  readonly membership: FleetMembership;
  readonly status: FleetStatus;
  readonly writer: StatusWriter;
  /** A ping whenever statuses may have changed (another replica wrote, or a reconnect). */
  readonly statusChanges: Stream.Stream<void>;
  /** Membership plus whether the database answers and the listener is connected. */
  readonly health: () => FleetHealth & { readonly listening: boolean };
}

/**
 * Open a pool and join the fleet as one replica; leave when the scope closes.
 *
 * @category constructors
 * @since 0.3.0
 */
export const make = (
  options: PostgresStoreOptions,
  fleet: PostgresFleetOptions = {},
): Effect.Effect<PostgresFleet, StoreError | SchemaVersionError, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(clientLayer(options));
    const sql = Context.get(context, SqlClient);
    const scrub = scrubOf(options);
    // A refresh's lock lasts as long as ownership: a SIGKILLed replica's tokens are taken over
    // within the fleet's lease, those it was refreshing included (while their access tokens
    // are still valid, so the next owner's probe can tell a lost outcome without a refresh).
    const lease = {
      ...options.lease,
      ttl: options.lease?.ttl ?? fleet.leaseTtl ?? Duration.millis(DEFAULT_FLEET_LEASE_TTL_MS),
    };
    const baseStore = yield* makeWith({ ...options, lease }).pipe(Effect.provideContext(context));
    const storeChanges = yield* PubSub.unbounded<StoreChange>();
    const wholeStore: TokenStoreShape = {
      ...baseStore,
      changes: () => Stream.fromPubSub(storeChanges),
    };
    const membership = yield* makeMembership(sql, scrub, fleet);
    const me = membership.replicaId;
    const status = makeFleetStatus(sql, scrub, me);
    const writer = yield* makeStatusWriter(status, fleet.statusFlushEvery);
    const pings = yield* PubSub.sliding<void>(1);
    const ping = PubSub.publish(pings, undefined);
    let listening = false;

    const onFleet = (payload: string) => {
      const [kind, from] = payload.split(" ", 2);
      if (from === me) return Effect.void;
      return kind === "members" ? membership.poke : Effect.asVoid(ping);
    };
    const onHeard = (heard: Heard) =>
      Effect.gen(function* () {
        if (heard._tag === "Connected") {
          listening = true;
          yield* ping;
          yield* membership.poke;
        } else if (heard.channel !== CHANGES_CHANNEL) {
          return yield* onFleet(heard.payload);
        }
        for (const change of changesHeard(heard)) {
          // A token just added is claimed now, not at the next tick.
          if (change._tag === "Written" && change.generation === 1) yield* membership.poke;
          yield* PubSub.publish(storeChanges, change);
        }
      });
    const heard = listen(poolConfigOf(options), [CHANGES_CHANNEL, FLEET_CHANNEL], {
      ...options.reconnect,
      onLost: () => {
        listening = false;
      },
    });
    yield* Effect.forkScoped(Stream.runForEach(heard, onHeard));
    const pruneAfter = Duration.fromInputUnsafe(fleet.statusPruneAfter ?? "1 minute");
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.sleep(pruneAfter).pipe(
          Effect.andThen(Effect.ignore(status.prune(Duration.toMillis(pruneAfter)))),
        ),
      ),
    );
    yield* Effect.forkScoped(
      Effect.forever(Effect.sleep(fleet.statusPollEvery ?? "5 seconds").pipe(Effect.andThen(ping))),
    );

    return {
      replicaId: me,
      store: ownedStore(wholeStore, membership, sql, scrub, options.keyring),
      wholeStore,
      membership,
      status,
      writer,
      statusChanges: Stream.fromPubSub(pings),
      health: () => {
        const base = membership.health();
        const failed = writer.lastError();
        return failed === undefined || base.database === "unreachable"
          ? { ...base, listening }
          : { ...base, database: "unreachable", error: failed.reason, listening };
      },
    } satisfies PostgresFleet;
  });
