/**
 * One watcher replica's handle on the fleet: its own pool, the store narrowed to the tokens it
 * owns (`FleetStore.ts`), its membership (`FleetMembership.ts`), the shared status table with a
 * batching writer (`FleetStatus.ts`), and one `LISTEN` connection on the fleet's channel. A
 * notification that a replica joined or gave tokens back makes this one rebalance at once; one
 * that statuses were written pings `statusChanges`, so the watcher reads the rows that changed.
 * The listener reconnects with backoff after the connection drops (a PostgreSQL restart) and
 * pings once it is back (notifications sent meanwhile are lost, so the reader catches up by
 * sequence number); a slow poll covers anything else missed. Closing the scope flushes the
 * status writer, gives every token back and leaves the fleet.
 *
 * NOTE for the merge: the store's own `changes` (LISTEN/NOTIFY on the tokens) is built
 * elsewhere; this listener is only the fleet's channel, and can share that connection later.
 *
 * @since 0.3.0
 */
import { PgClient } from "@effect/sql-pg";
import type { StoreError, TokenStoreShape } from "@miro-token/core";
import {
  Context,
  type Duration,
  Effect,
  Layer,
  PubSub,
  Queue,
  Schedule,
  type Scope,
  Stream,
} from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { clientLayer, makeWith, scrubOf } from "../PostgresTokenStore.ts";
import type { SchemaVersionError } from "../SchemaVersionError.ts";
import type { PostgresStoreOptions } from "../StoreOptions.ts";
import {
  FLEET_CHANNEL,
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
    const pg = Context.get(context, PgClient.PgClient);
    const scrub = scrubOf(options);
    const wholeStore = yield* makeWith(options).pipe(Effect.provideContext(context));
    const membership = yield* makeMembership(sql, scrub, fleet);
    const me = membership.replicaId;
    const status = makeFleetStatus(sql, scrub, me);
    const writer = yield* makeStatusWriter(status, fleet.statusFlushEvery);
    const pings = yield* PubSub.sliding<void>(1);
    const ping = PubSub.publish(pings, undefined);
    let listening = false;

    const onNotification = (payload: string) => {
      const [kind, from] = payload.split(" ", 2);
      if (from === me) return Effect.void;
      return kind === "members" ? membership.poke : Effect.asVoid(ping);
    };
    const listenOnce = Effect.scoped(
      Effect.gen(function* () {
        const queue = yield* pg.listen(FLEET_CHANNEL);
        listening = true;
        yield* ping;
        yield* membership.poke;
        for (;;) yield* onNotification((yield* Queue.take(queue)).payload);
      }),
    ).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          listening = false;
        }),
      ),
    );
    const backoff = Schedule.min([
      Schedule.exponential("200 millis"),
      Schedule.spaced("5 seconds"),
    ]);
    yield* Effect.forkScoped(Effect.retry(listenOnce, backoff));
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
