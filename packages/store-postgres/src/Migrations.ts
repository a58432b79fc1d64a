/**
 * The store's schema as numbered migrations, and the `migrate` effect that applies the pending
 * ones. All of a run happens in one transaction under an advisory lock, so two migrators at
 * once apply each migration exactly once, and a failed migration leaves nothing behind. Each
 * applied version is a row of `miro_token_migrations`.
 *
 * Append only: a released migration is never edited; a change is a new, higher number.
 *
 * @since 0.1.0
 */
import { Effect } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import type { SqlError } from "effect/sql/SqlError";
import { FLEET_MIGRATION } from "./fleet/FleetSchema.ts";
import { SchemaVersionError } from "./SchemaVersionError.ts";

/**
 * One numbered migration: statements run in order, in the migration transaction.
 *
 * @category models
 * @since 0.1.0
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: ReadonlyArray<string>;
}

/**
 * Every migration, in order. `version` n is the n-th entry.
 *
 * @category constants
 * @since 0.1.0
 */
export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "tokens_and_leases",
    statements: [
      `CREATE TABLE miro_token_tokens (
         id text COLLATE "C" PRIMARY KEY,
         generation bigint NOT NULL CHECK (generation >= 1),
         token_set jsonb NOT NULL,
         expires_at bigint,
         updated_at bigint NOT NULL
       )`,
      `CREATE INDEX miro_token_tokens_expires_at ON miro_token_tokens (expires_at)
         WHERE expires_at IS NOT NULL`,
      `CREATE TABLE miro_token_leases (
         id text COLLATE "C" PRIMARY KEY,
         owner text NOT NULL,
         expires_at timestamptz NOT NULL
       )`,
    ],
  },
  {
    version: 2,
    name: "refresh_intent",
    statements: [
      // The refresh about to be sent for the row's generation (core's RefreshIntent), or NULL.
      `ALTER TABLE miro_token_tokens ADD COLUMN refresh_intent jsonb`,
    ],
  },
  {
    version: 3,
    name: "webhook_outbox",
    statements: [
      // Each token's last reported state, and the events to deliver (see PostgresOutbox.ts).
      `CREATE TABLE miro_token_outbox_states (
         token_id text COLLATE "C" PRIMARY KEY,
         state text NOT NULL
       )`,
      `CREATE TABLE miro_token_outbox (
         id text COLLATE "C" PRIMARY KEY,
         seq bigserial NOT NULL,
         token_id text COLLATE "C" NOT NULL,
         state text NOT NULL,
         body text NOT NULL,
         created_at bigint NOT NULL,
         delivery text NOT NULL DEFAULT 'pending'
           CHECK (delivery IN ('pending', 'delivered', 'failed')),
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at bigint NOT NULL,
         last_error text,
         settled_at bigint,
         claimed_by text,
         claimed_until bigint
       )`,
      `CREATE INDEX miro_token_outbox_due ON miro_token_outbox (next_attempt_at)
         WHERE delivery = 'pending'`,
    ],
  },
  FLEET_MIGRATION,
];

/**
 * The schema version this code reads and writes.
 *
 * @category constants
 * @since 0.1.0
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS miro_token_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Any fixed number: the key of the advisory lock that serialises migrators. */
const MIGRATION_LOCK_KEY = 7_104_202_611;

/**
 * The schema version recorded in the database: 0 when it was never migrated.
 *
 * @category migrations
 * @since 0.1.0
 */
export const currentVersion: Effect.Effect<number, SqlError, SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient;
  const [exists] = yield* sql<{
    readonly table: string | null;
  }>`SELECT to_regclass('miro_token_migrations')::text AS table`;
  if (exists?.table == null) return 0;
  const [row] = yield* sql<{
    readonly version: number | null;
  }>`SELECT max(version) AS version FROM miro_token_migrations`;
  return Number(row?.version ?? 0);
});

/**
 * What a `migrate` run did.
 *
 * @category models
 * @since 0.1.0
 */
export interface MigrateResult {
  readonly from: number;
  readonly to: number;
  readonly applied: ReadonlyArray<string>;
}

/**
 * Apply every pending migration in one transaction. Fails with {@link SchemaVersionError}
 * when the database is newer than this code; `target` (a password-free URL) is only used in
 * that message.
 *
 * @category migrations
 * @since 0.1.0
 */
export const migrate = (
  target = "postgres://…",
): Effect.Effect<MigrateResult, SqlError | SchemaVersionError, SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient;
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
        yield* sql.unsafe(CREATE_MIGRATIONS_TABLE);
        const from = yield* currentVersion;
        if (from > SCHEMA_VERSION) {
          return yield* new SchemaVersionError({ found: from, expected: SCHEMA_VERSION, target });
        }
        const pending = MIGRATIONS.filter((migration) => migration.version > from);
        for (const migration of pending) {
          for (const statement of migration.statements) yield* sql.unsafe(statement);
          yield* sql`INSERT INTO miro_token_migrations (version, name)
                     VALUES (${migration.version}, ${migration.name})`;
        }
        return {
          from,
          to: Math.max(from, SCHEMA_VERSION),
          applied: pending.map((migration) => `${migration.version}_${migration.name}`),
        };
      }),
    );
  });

/**
 * Fail with {@link SchemaVersionError} unless the database is at exactly
 * {@link SCHEMA_VERSION}.
 *
 * @category migrations
 * @since 0.1.0
 */
export const checkVersion = (
  target: string,
): Effect.Effect<void, SqlError | SchemaVersionError, SqlClient> =>
  Effect.flatMap(currentVersion, (found) =>
    found === SCHEMA_VERSION
      ? Effect.void
      : Effect.fail(new SchemaVersionError({ found, expected: SCHEMA_VERSION, target })),
  );
