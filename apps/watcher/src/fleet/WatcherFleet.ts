/**
 * The watcher's side of a fleet (`@miro-token/store-postgres`'s `PostgresFleet`): N replicas on
 * one database, each watching the tokens it owns, all showing the whole fleet.
 *
 * - `store` is the layer to give `startWatcher`: the store narrowed to this replica's tokens,
 *   so core's watcher (unchanged) probes and refreshes exactly its share.
 * - `attach(board)` (called by `startWatcher`) writes every status this replica reports to the
 *   fleet's status table (batched), and feeds the rows the other replicas write into the
 *   board as `remote` changes, so `/tokens`, the page and `/events` of any replica show every
 *   token. A token handed to another replica ends its loop here as core's `Stopped` ("removed
 *   from the token store"; `handedOver` tells it from a removal, and the watcher prints no line
 *   for it), or, when a refresh was waiting for its lock, as a refresh that
 *   found it gone; neither is written (the token was not removed): the row keeps its last
 *   status until the new owner reports. A real removal is written, and leaves every board.
 * - `withFleetHealth` adds the database to `/healthz`: `degraded` while it does not answer.
 *
 * @since 0.3.0
 */
import { TokenStore } from "@miro-token/core";
import type { PostgresFleet } from "@miro-token/store-postgres";
import { Effect, Fiber, Layer, Option, Stream } from "effect";
import type { Health } from "../HttpServer.ts";
import type { StatusBoard, TokenView } from "../StatusBoard.ts";

/**
 * What `/healthz` says about the fleet.
 *
 * @category models
 * @since 0.3.0
 */
export interface FleetHealthView {
  readonly database: "ok" | "unreachable";
  readonly error?: string | undefined;
  readonly replicaId: string;
  readonly replicas: number;
  readonly owned: number;
  readonly listening: boolean;
}

/**
 * A running attachment of a board to the fleet.
 *
 * @category models
 * @since 0.3.0
 */
export interface FleetAttachment {
  readonly health: () => FleetHealthView;
  /** Stop feeding the board and write what is still queued. */
  readonly close: () => Promise<void>;
}

/**
 * The fleet hooks `startWatcher` takes (`WatcherOptions.fleet`).
 *
 * @category models
 * @since 0.3.0
 */
export interface WatcherFleet {
  /** The store layer to watch: this replica's tokens only. */
  readonly store: Layer.Layer<TokenStore>;
  readonly attach: (board: StatusBoard) => FleetAttachment;
  /**
   * Whether `view` is this replica's last word on a token it handed to another replica (core's
   * `Stopped` for a token no longer owned): not a removal, so the NDJSON log and the webhooks
   * say nothing of it (the new owner reports the token from then on).
   */
  readonly handedOver: (view: TokenView) => boolean;
}

const isView = (value: unknown): value is TokenView =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as TokenView).id === "string" &&
  typeof (value as TokenView).state === "string";

/**
 * The watcher hooks of a joined fleet.
 *
 * @category constructors
 * @since 0.3.0
 */
export const watcherFleet = (fleet: PostgresFleet.PostgresFleet): WatcherFleet => ({
  store: Layer.succeed(TokenStore, fleet.store),
  // Decided by the membership when the ownership ended (was the token still stored?), not by
  // ownership now: a tick between a removal and its `Stopped` must not hide the removal.
  handedOver: (view) => view.state === "Stopped" && fleet.membership.handedOver(view.id),
  attach: (board) => {
    const me = fleet.replicaId;
    /** The last view of each token this replica reported, to keep a handed-over row shown. */
    const reported = new Map<string, TokenView>();
    /**
     * The last view each other replica wrote, kept even while this replica still reports the
     * token: a new owner's row can arrive before this replica's own loop has stopped, and the
     * handover must not then leave the board without the row.
     */
    const remoteLatest = new Map<string, TokenView>();
    let seq = 0;
    const readChanged = Effect.gen(function* () {
      for (;;) {
        const rows = yield* fleet.status.since(seq, 2000);
        for (const row of rows) {
          seq = Math.max(seq, row.seq);
          // Once we reported on a token, its row is ours (a late one from the old owner is stale).
          if (row.replica === me || !isView(row.view)) continue;
          if (row.view.state === "Stopped") remoteLatest.delete(row.id);
          else remoteLatest.set(row.id, row.view);
          if (reported.has(row.id)) continue;
          board.applyRemote(row.view);
        }
        if (rows.length < 2000) return;
      }
    }).pipe(Effect.ignore);
    const feeding = Effect.runFork(
      readChanged.pipe(Effect.andThen(Stream.runForEach(fleet.statusChanges, () => readChanged))),
    );

    const handedOver = (view: TokenView) =>
      Effect.runPromise(
        fleet.wholeStore.get(view.id).pipe(
          Effect.map(Option.isSome),
          Effect.orElseSucceed(() => false),
        ),
      );
    const unsubscribe = board.subscribe((change) => {
      if (change.remote === true) return;
      const { view } = change;
      const update = { id: view.id, state: view.state, generation: view.generation, view };
      if (fleet.membership.owns(view.id)) {
        reported.set(view.id, view);
        fleet.writer.offer(update);
        return;
      }
      // Not ours (any more): its last words here — `Stopped`, or a refresh that found the token
      // gone from this replica's view — are the new owner's to report, unless it was removed.
      void handedOver(view).then((stillStored) => {
        const last = reported.get(view.id);
        reported.delete(view.id);
        if (!stillStored) {
          if (view.state === "Stopped") fleet.writer.offer(update);
        } else if (!fleet.membership.owns(view.id)) {
          // The new owner's row when it has written one (newer), else our last view.
          const shown = remoteLatest.get(view.id) ?? last;
          if (shown !== undefined) board.applyRemote(shown);
        }
      });
    });

    return {
      health: () => {
        const { database, error, replicaId, replicas, owned, listening } = fleet.health();
        return { database, error, replicaId, replicas, owned, listening };
      },
      close: async () => {
        unsubscribe();
        await Effect.runPromise(Fiber.interrupt(feeding));
        await Effect.runPromise(Effect.ignore(fleet.writer.flush));
      },
    };
  },
});

/**
 * `health` with the fleet's view added: `degraded` while the database does not answer (the
 * watcher keeps watching the tokens it owns while its leases can still be valid, then gives
 * them up until the database answers again: see `FleetMembership`).
 *
 * @category health
 * @since 0.3.0
 */
export const withFleetHealth = (health: Health, fleet: FleetAttachment | undefined): Health => {
  if (fleet === undefined) return health;
  const view = fleet.health();
  const status = health.status === "ok" && view.database !== "ok" ? "degraded" : health.status;
  const reported: Health & { readonly fleet: FleetHealthView } = { ...health, status, fleet: view };
  return reported;
};
