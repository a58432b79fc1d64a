/**
 * What the fleet bench reads from outside the watchers: CPU seconds of processes from
 * `/proc/<pid>/stat` (a replica; every process of the PostgreSQL cluster, found as the
 * postmaster and its children), statements executed in one database from
 * `pg_stat_statements` (top-level statements, counted when they finish, no sampling lag).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PostgresTokenStore } from "@miro-token/store-postgres";
import { Effect, Redacted } from "effect";
import { SqlClient } from "effect/sql/SqlClient";

const TICKS_PER_SECOND = 100;

/** utime + stime of `pid` in seconds; 0 when it is gone. */
export const cpuSecondsOf = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
};

/** The postmaster's pid and its children's (backends, checkpointer, walwriter, ...). */
export const clusterPids = (dataDirectory: string): ReadonlyArray<number> => {
  const postmaster = Number(
    readFileSync(join(dataDirectory, "postmaster.pid"), "utf8").split("\n")[0],
  );
  const children = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
};

/** CPU seconds of the whole cluster now (backends that already exited are not counted). */
export const clusterCpuSeconds = (dataDirectory: string): number =>
  clusterPids(dataDirectory).reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);

const withAdmin = <A>(url: string, effect: Effect.Effect<A, unknown, SqlClient>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(
        PostgresTokenStore.clientLayer({ url: Redacted.make(url), maxConnections: 1 }),
      ),
      Effect.orDie,
    ),
  );

/** Statements run in `database` so far, by every client (pg_stat_statements, top level). */
export const statementsIn = (adminUrl: string, database: string): Promise<number> =>
  withAdmin(
    adminUrl,
    Effect.flatMap(
      SqlClient,
      (sql) => sql<{ readonly calls: number | null }>`
        SELECT sum(s.calls)::float8 AS calls FROM pg_stat_statements s
        JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ${database}`,
    ).pipe(Effect.map((rows) => Number(rows[0]?.calls ?? 0))),
  );

/** The most frequent statements in `database`: their first words and call counts. */
export const topStatements = (adminUrl: string, database: string, limit = 6) =>
  withAdmin(
    adminUrl,
    Effect.flatMap(
      SqlClient,
      (sql) => sql<{ readonly query: string; readonly calls: number }>`
        SELECT left(regexp_replace(s.query, '\\s+', ' ', 'g'), 70) AS query, s.calls::float8 AS calls
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = ${database} ORDER BY s.calls DESC LIMIT ${limit}`,
    ),
  );

/** Run `statements` as the cluster's superuser (admin URL). */
export const adminRun = (adminUrl: string, statements: ReadonlyArray<string>): Promise<void> =>
  withAdmin(
    adminUrl,
    Effect.flatMap(SqlClient, (sql) =>
      Effect.forEach(statements, (statement) => sql.unsafe(statement), { discard: true }),
    ),
  );
