/**
 * The PostgreSQL store's outbox (core's `TokenOutbox`), in two tables of migration 3:
 * `miro_token_outbox_states` (each token's last reported state) and `miro_token_outbox` (the
 * events). `record` is one transaction under a per-token advisory lock: read the state, write
 * the new one and insert the event together, so a status change and its event commit at once.
 * `claim` is one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` that stamps a claim
 * column (`claimed_by`, `claimed_until`): replicas polling at once take disjoint events, and a
 * crashed replica's claim lapses at `claimed_until`. `settle` only touches a row its caller
 * still holds.
 *
 * @since 0.1.0
 */
import type { OutboxEntry, StoreError, TokenOutbox } from "@miro-token/core";
import { Effect } from "effect";
import type { SqlClient } from "effect/sql/SqlClient";
import { orStoreError, type Scrub } from "./SqlFailure.ts";

interface OutboxRow {
  readonly id: string;
  readonly seq: number | string;
  readonly token_id: string;
  readonly state: string;
  readonly body: string;
  readonly created_at: number | string;
  readonly delivery: "pending" | "delivered" | "failed";
  readonly attempts: number;
  readonly next_attempt_at: number | string;
  readonly last_error: string | null;
  readonly settled_at: number | string | null;
  readonly claimed_by: string | null;
  readonly claimed_until: number | string | null;
}

const COLUMNS = `id, seq::float8 AS seq, token_id, state, body, created_at::float8 AS created_at,
  delivery, attempts, next_attempt_at::float8 AS next_attempt_at, last_error,
  settled_at::float8 AS settled_at, claimed_by, claimed_until::float8 AS claimed_until`;

const toEntry = (row: OutboxRow): OutboxEntry => ({
  event: {
    id: row.id,
    tokenId: row.token_id,
    state: row.state,
    body: row.body,
    createdAt: Number(row.created_at),
  },
  delivery: row.delivery,
  attempts: Number(row.attempts),
  nextAttemptAt: Number(row.next_attempt_at),
  ...(row.last_error === null ? {} : { lastError: row.last_error }),
  ...(row.settled_at === null ? {} : { settledAt: Number(row.settled_at) }),
  ...(row.claimed_by === null ? {} : { claimedBy: row.claimed_by }),
  ...(row.claimed_until === null ? {} : { claimedUntil: Number(row.claimed_until) }),
});

const inOrder = (rows: ReadonlyArray<OutboxRow>): ReadonlyArray<OutboxEntry> =>
  [...rows].sort((a, b) => Number(a.seq) - Number(b.seq)).map(toEntry);

/**
 * The outbox over `sql`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (sql: SqlClient, scrub: Scrub): TokenOutbox => ({
  record: (tokenId, state, decide) =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`SELECT pg_advisory_xact_lock(hashtext(${`miro_token_outbox:${tokenId}`}))`;
          const [row] = yield* sql<{
            readonly state: string;
          }>`SELECT state FROM miro_token_outbox_states WHERE token_id = ${tokenId}`;
          const previous = row?.state;
          if (previous === state) return { previous, changed: false };
          yield* sql`INSERT INTO miro_token_outbox_states (token_id, state)
                     VALUES (${tokenId}, ${state})
                     ON CONFLICT (token_id) DO UPDATE SET state = EXCLUDED.state`;
          const event = decide(previous);
          if (event !== undefined) {
            yield* sql`INSERT INTO miro_token_outbox
                         (id, token_id, state, body, created_at, next_attempt_at)
                       VALUES (${event.id}, ${event.tokenId}, ${event.state}, ${event.body},
                               ${event.createdAt}, ${event.createdAt})
                       ON CONFLICT (id) DO NOTHING`;
          }
          return { previous, changed: true };
        }),
      )
      .pipe(orStoreError("outbox.record", scrub)),
  claim: ({ owner, now, leaseMs, limit }) =>
    sql<OutboxRow>`
      UPDATE miro_token_outbox SET claimed_by = ${owner}, claimed_until = ${now + leaseMs}
      WHERE id IN (
        SELECT id FROM miro_token_outbox
        WHERE delivery = 'pending' AND next_attempt_at <= ${now}
          AND (claimed_until IS NULL OR claimed_until <= ${now})
        ORDER BY seq LIMIT ${Math.max(0, limit)}
        FOR UPDATE SKIP LOCKED)
      RETURNING ${sql.literal(COLUMNS)}`.pipe(
      orStoreError("outbox.claim", scrub),
      Effect.map(inOrder),
    ),
  settle: (eventId, owner, outcome): Effect.Effect<void, StoreError> => {
    const statement =
      outcome._tag === "Delivered"
        ? sql`UPDATE miro_token_outbox
              SET delivery = 'delivered', attempts = attempts + 1, last_error = NULL,
                  settled_at = ${outcome.at}, claimed_by = NULL, claimed_until = NULL
              WHERE id = ${eventId} AND claimed_by = ${owner}`
        : outcome._tag === "Retry"
          ? sql`UPDATE miro_token_outbox
                SET attempts = attempts + 1, next_attempt_at = ${outcome.nextAttemptAt},
                    last_error = ${outcome.error}, claimed_by = NULL, claimed_until = NULL
                WHERE id = ${eventId} AND claimed_by = ${owner}`
          : sql`UPDATE miro_token_outbox
                SET delivery = 'failed', attempts = attempts + 1, last_error = ${outcome.error},
                    settled_at = ${outcome.at}, claimed_by = NULL, claimed_until = NULL
                WHERE id = ${eventId} AND claimed_by = ${owner}`;
    return statement.pipe(orStoreError("outbox.settle", scrub), Effect.asVoid);
  },
  entries: () =>
    sql<OutboxRow>`SELECT ${sql.literal(COLUMNS)} FROM miro_token_outbox ORDER BY seq`.pipe(
      orStoreError("outbox.entries", scrub),
      Effect.map(inOrder),
    ),
});
