/**
 * The SQL of fleet membership (`FleetMembership.ts`), one statement per step of a tick, so the
 * membership module reads as the protocol and this one as what each step sends. Lease times
 * are the database's clock (`clock_timestamp()`), never a replica's.
 *
 * @since 0.3.0
 */
import type { SqlClient } from "effect/sql/SqlClient";

/**
 * The channel replicas notify when they join or give tokens back.
 *
 * @category constants
 * @since 0.3.0
 */
export const FLEET_CHANNEL = "miro_token_fleet";

/**
 * The statements of one replica: `me` its id, `info` its JSON info, `ttl` the lease and
 * `grace` the handover grace, in milliseconds.
 *
 * @category constructors
 * @since 0.3.0
 */
export const ownershipStatements = (
  sql: SqlClient,
  { me, info, ttl, grace }: { me: string; info: string; ttl: number; grace: number },
) => {
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

  // `watched`: some replica reported on the token already (a takeover, not a new token).
  const claim = (count: number) =>
    sql<{ readonly id: string; readonly generation: number; readonly watched: boolean }>`
     WITH claimed AS (
       UPDATE miro_token_fleet_owners SET owner = ${me}, expires_at = ${until}
       WHERE token_id IN (
         SELECT token_id FROM miro_token_fleet_owners
         WHERE expires_at < clock_timestamp()
         LIMIT ${count} FOR UPDATE SKIP LOCKED)
       RETURNING token_id)
     SELECT c.token_id AS id, t.generation::float8 AS generation,
            EXISTS (SELECT 1 FROM miro_token_fleet_status s WHERE s.token_id = c.token_id)
              AS watched
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

  /** Which of `ids` are still stored, with their generation (a removed token's row is gone). */
  const stillStored = (ids: ReadonlyArray<string>) =>
    sql<{ readonly id: string; readonly generation: number }>`
      SELECT id, generation::float8 AS generation FROM miro_token_tokens
      WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`;

  const notifyJoined = sql`SELECT pg_notify(${FLEET_CHANNEL}, ${`members ${me}`})`;

  return { heartbeat, claim, release, stillStored, notifyJoined };
};
