/**
 * The store as one replica of the fleet sees it: only the tokens it owns. `get`, `page`,
 * `list`, `scan` and `changes` show owned tokens only (a token gained is `Written`, a token
 * lost is `Deleted`), so core's watcher — which watches "every token of the store" — watches
 * exactly this replica's share with no change of its own: a lost token's loop reads it as
 * removed and ends, a gained one is picked up by the next scan or change. Writes
 * (`compareAndSet`, `recordRefreshIntent`, `delete`), `withLock` and the outbox go to the whole
 * store unfiltered: a refresh in flight when its token is handed over still stores its pair,
 * and the lease plus the generation fence keep the refresh single-flight across replicas.
 *
 * @since 0.3.0
 */
import type { StoreChange, StoredToken, StoreError, TokenStoreShape } from "@miro-token/core";
import { Effect, Option, Stream } from "effect";
import type { SqlClient } from "effect/sql/SqlClient";
import { orStoreError, type Scrub } from "../SqlFailure.ts";
import type { PostgresStoreOptions } from "../StoreOptions.ts";
import { COLUMNS, scanPages, type TokenRow, toStored } from "../TokenRows.ts";
import type { FleetMembership } from "./FleetMembership.ts";

const PAGE = 1000;

/** Core's terminal statuses (`TERMINAL_TAGS`) but `Stopped` (which a removal or handover says). */
const FINISHED = "'Invalid', 'ReauthorizeRequired', 'Revoked'";

/**
 * `inner` narrowed to the tokens `membership` owns.
 *
 * @category constructors
 * @since 0.3.0
 */
export const ownedStore = (
  inner: TokenStoreShape,
  membership: FleetMembership,
  sql: SqlClient,
  scrub: Scrub,
  keyring: PostgresStoreOptions["keyring"],
): TokenStoreShape => {
  const me = membership.replicaId;
  /**
   * Owned rows after `after`, by id (the owned set decides: the table may lag it), leaving out
   * a token the fleet already reported finished at the generation stored: as core's watcher
   * does in one process, it is watched again only once a newer generation is stored (else each
   * new owner would try once more a refresh token that Miro already refused).
   */
  const rawPage = (operation: string, after: string | undefined, limit: number) =>
    sql<TokenRow>`SELECT ${sql.literal(COLUMNS)}
      FROM miro_token_tokens t JOIN miro_token_fleet_owners o ON o.token_id = t.id
      WHERE o.owner = ${me} AND t.id > ${after ?? ""}
        AND NOT EXISTS (
          SELECT 1 FROM miro_token_fleet_status s
          WHERE s.token_id = t.id AND s.generation = t.generation
            AND s.state IN (${sql.literal(FINISHED)}))
      ORDER BY t.id LIMIT ${Math.max(0, limit)}`.pipe(orStoreError(operation, scrub));
  const owned = (rows: ReadonlyArray<TokenRow>) => rows.filter((row) => membership.owns(row.id));

  const page: NonNullable<TokenStoreShape["page"]> = ({ after, limit }) =>
    rawPage("list", after, limit).pipe(
      Effect.flatMap((rows) =>
        Effect.forEach(owned(rows), (row) => toStored("list", row, keyring)),
      ),
    );

  // Pages are cut by what the table returned (before the owned filter), so none is skipped.
  const scan: NonNullable<TokenStoreShape["scan"]> = () =>
    scanPages((after) => rawPage("scan", after, PAGE), keyring).pipe(
      Effect.map(({ entries, unreadable }) => ({
        entries: entries.filter((entry) => membership.owns(entry.id)),
        unreadable: unreadable.filter((entry) => membership.owns(entry.id)),
      })),
    );

  const list: TokenStoreShape["list"] = () =>
    Effect.gen(function* () {
      const all: Array<StoredToken> = [];
      let after: string | undefined;
      for (;;) {
        const rows = yield* rawPage("list", after, PAGE);
        for (const row of owned(rows)) all.push(yield* toStored("list", row, keyring));
        if (rows.length < PAGE) return all;
        after = rows.at(-1)?.id;
      }
    });

  const ownershipChanges: Stream.Stream<StoreChange, StoreError> = membership.changes.pipe(
    Stream.flatMap((change) =>
      Stream.fromIterable<StoreChange>([
        ...change.lost.map((id) => ({ _tag: "Deleted" as const, id })),
        ...change.gained.map(({ id, generation, watched }) => ({
          _tag: "Written" as const,
          id,
          generation,
          handover: watched,
        })),
      ]),
    ),
  );

  const changes = (): Stream.Stream<StoreChange, StoreError> => {
    const own = inner.changes;
    if (own === undefined) return ownershipChanges;
    const filtered = own().pipe(
      Stream.filter((change) => change._tag === "Resync" || membership.owns(change.id)),
    );
    return Stream.merge(ownershipChanges, filtered);
  };

  return {
    ...inner,
    get: (id) => (membership.owns(id) ? inner.get(id) : Effect.succeed(Option.none())),
    list,
    page,
    scan,
    changes,
  };
};
