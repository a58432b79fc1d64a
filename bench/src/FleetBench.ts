/**
 * The watcher fleet on PostgreSQL: 1 replica, then 3, on the same number of tokens (10,000 by
 * default), each replica a process running `startWatcher` over `PostgresFleet`
 * (apps/watcher/test/fleet/fixtures/FleetReplica.ts), the emulator in its own process. Over a
 * window after the fleet has balanced and every token has had its first probe: probes per
 * second, database statements per probe (pg_stat_statements), PostgreSQL's CPU beside the
 * watchers', and the probe split (the window opens once every replica owns its even share and
 * one more interval has passed). Then the p99 refresh latency the PostgreSQL store adds over
 * the file store (`FleetRefreshLatency.ts`).
 *
 *   node --conditions=@miro-token/source src/FleetBench.ts [--tokens 10000] [--interval 10]
 *        [--window 30] [--quick]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redacted } from "effect";
import { migratedDatabase, storeTokens } from "../../apps/watcher/test/fleet/FleetDatabase.ts";
import { probesOf } from "../../apps/watcher/test/fleet/ReplicaMetrics.ts";
import { startCluster } from "../../packages/store-postgres/test/provision/PostgresCluster.ts";
import { startEmulatorProcess } from "./EmulatorProcess.ts";
import {
  adminRun,
  clusterCpuSeconds,
  cpuSecondsOf,
  statementsIn,
  topStatements,
} from "./FleetMeasures.ts";
import { measureRefreshLatency } from "./FleetRefreshLatency.ts";
import { writeResults } from "./Report.ts";

const { values } = parseArgs({
  options: {
    tokens: { type: "string" },
    interval: { type: "string" },
    window: { type: "string" },
    quick: { type: "boolean", default: false },
  },
});
const tokens = Number(values.tokens ?? (values.quick ? 2_000 : 10_000));
const intervalMs = Number(values.interval ?? 10) * 1000;
const windowMs = Number(values.window ?? (values.quick ? 15 : 30)) * 1000;
const REPLICA = fileURLToPath(
  new URL("../../apps/watcher/test/fleet/fixtures/FleetReplica.ts", import.meta.url),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cluster = await startCluster();
const adminUrl = cluster.urlOf("postgres");
const emulator = await startEmulatorProcess();
const control = async (path: string, body?: unknown) => {
  const response = await fetch(`${emulator.baseUrl}/__emulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`emulator ${path}: ${response.status}`);
  return response.json() as Promise<Record<string, unknown>>;
};
const { client } = (await control("seed")) as {
  client: { clientId: string; clientSecret: string };
};
let nextUser = 0n;
const issue = () => control("tokens", { userId: String(3_074_457_000_000_000_000n + nextUser++) });

const startReplica = async (storeUrl: string) => {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--conditions=@miro-token/source", REPLICA, "20000", String(intervalMs), "60000"],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        STORE_URL: storeUrl,
        MIRO_API_BASE_URL: emulator.baseUrl,
        MIRO_CLIENT_ID: client.clientId,
        MIRO_CLIENT_SECRET: client.clientSecret,
      },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const [url] = (await new Promise<Array<string>>((resolve) =>
    lines.on("line", (line) => line.startsWith("url ") && resolve([line.slice(4)])),
  )) as [string];
  return { child, url, pid: child.pid ?? 0 };
};

/** Until every replica sees them all and the tokens are split evenly among them (at most 2 min). */
const waitBalanced = async (urls: ReadonlyArray<string>) => {
  const share = Math.ceil(tokens / urls.length);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const views = await Promise.all(
      urls.map(async (url) => {
        const health = (await (await fetch(`${url}/healthz`)).json()) as {
          fleet?: { replicas: number; owned: number };
        };
        return health.fleet;
      }),
    );
    // Each owns at most the ceiling of an even share (what a replica claims up to), all of them.
    const owned = views.reduce((sum, v) => sum + (v?.owned ?? 0), 0);
    const full = views.every((v) => v?.replicas === urls.length && v.owned <= share);
    if (full && owned === tokens) return;
    if (Date.now() > deadline) throw new Error(`not balanced: ${JSON.stringify(views)}`);
    await sleep(500);
  }
};

const run = async (count: number) => {
  const options = await migratedDatabase(cluster, 4);
  const storeUrl = Redacted.value(options.url);
  const dbName = new URL(storeUrl).pathname.slice(1);
  console.log(`${count} replica(s): issuing and storing ${tokens} tokens ...`);
  const issued: Array<Record<string, unknown>> = [];
  for (let i = 0; i < tokens; i += 200) {
    issued.push(...(await Promise.all(Array.from({ length: Math.min(200, tokens - i) }, issue))));
  }
  const now = Date.now();
  await storeTokens(
    options,
    issued.map((t, i) => ({
      id: `bench-${String(i).padStart(6, "0")}`,
      tokenSet: {
        accessToken: Redacted.make(String(t.accessToken)),
        refreshToken: Redacted.make(String(t.refreshToken)),
        expiresAt: now + Number(t.expiresIn ?? 3599) * 1000,
        scopes: String(t.scope).split(" "),
      },
    })),
  );
  const replicas: Array<Awaited<ReturnType<typeof startReplica>>> = [];
  for (let i = 0; i < count; i++) replicas.push(await startReplica(storeUrl));
  // Balanced (the last handover is claimed after its grace, the 20 s lease), then one interval
  // for every token's first probe (spread over it after a takeover), plus some margin: the
  // window measures the steady state, not the one-time handover.
  await waitBalanced(replicas.map((r) => r.url));
  await sleep(intervalMs + 5_000);
  const sample = async () => ({
    probes: await Promise.all(replicas.map((r) => probesOf(r.url))),
    statements: await statementsIn(adminUrl, dbName),
    pgCpu: clusterCpuSeconds(join(cluster.directory, "data")),
    watcherCpu: replicas.map((r) => cpuSecondsOf(r.pid)),
    at: performance.now(),
  });
  const before = await sample();
  await sleep(windowMs);
  const after = await sample();
  const seconds = (after.at - before.at) / 1000;
  const perReplica = after.probes.map((n, i) => n - (before.probes[i] ?? 0));
  const probes = perReplica.reduce((a, b) => a + b, 0);
  const watcherCpu =
    after.watcherCpu.reduce((a, b) => a + b, 0) - before.watcherCpu.reduce((a, b) => a + b, 0);
  const top = await topStatements(adminUrl, dbName);
  for (const replica of replicas) replica.child.kill("SIGTERM");
  await Promise.all(
    replicas.map((r) => (r.child.exitCode === null ? once(r.child, "exit") : undefined)),
  );
  return {
    replicas: count,
    probesPerSecond: probes / seconds,
    statementsPerProbe: (after.statements - before.statements) / probes,
    postgresCpuCores: (after.pgCpu - before.pgCpu) / seconds,
    watcherCpuCores: watcherCpu / seconds,
    probesPerReplica: perReplica,
    top,
    options,
  };
};

try {
  // Statement counts need pg_stat_statements, loaded at server start.
  await adminRun(adminUrl, ["ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"]);
  await cluster.restart();
  await adminRun(adminUrl, ["CREATE EXTENSION IF NOT EXISTS pg_stat_statements"]);
  const one = await run(1);
  const three = await run(3);
  console.log("measuring refresh latency (file store vs PostgreSQL) ...");
  const latency = await measureRefreshLatency({
    baseUrl: emulator.baseUrl,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    issue,
    postgres: three.options,
    rounds: values.quick ? 100 : 300,
  });
  const line = (name: string, a: string, b: string) =>
    console.log(`${name.padEnd(34)} ${a.padStart(14)} ${b.padStart(14)}`);
  console.log(
    `\nwatcher fleet, ${tokens} tokens, interval ${intervalMs / 1000} s, window ${windowMs / 1000} s`,
  );
  line("", "1 replica", "3 replicas");
  line("probes per second", one.probesPerSecond.toFixed(0), three.probesPerSecond.toFixed(0));
  line(
    "statements per probe",
    one.statementsPerProbe.toFixed(2),
    three.statementsPerProbe.toFixed(2),
  );
  line(
    "PostgreSQL CPU (cores)",
    one.postgresCpuCores.toFixed(3),
    three.postgresCpuCores.toFixed(3),
  );
  line(
    "watchers' CPU (cores, all replicas)",
    one.watcherCpuCores.toFixed(3),
    three.watcherCpuCores.toFixed(3),
  );
  line("probes per replica", one.probesPerReplica.join("/"), three.probesPerReplica.join("/"));
  console.log("top statements (3 replicas):");
  for (const row of three.top) console.log(`  ${String(row.calls).padStart(8)}  ${row.query}`);
  console.log(
    `refresh latency p50/p99 (ms): file ${latency.file.p50.toFixed(1)}/${latency.file.p99.toFixed(1)}, ` +
      `postgres ${latency.postgres.p50.toFixed(1)}/${latency.postgres.p99.toFixed(1)}; ` +
      `p99 added by PostgreSQL ${(latency.postgres.p99 - latency.file.p99).toFixed(1)} ms`,
  );
  const goal = Math.max(one.statementsPerProbe, three.statementsPerProbe) <= 2;
  console.log(`goal <= 2 statements per probe: ${goal ? "met" : "MISSED"}`);
  const { options: _a, ...oneRow } = one;
  const { options: _b, ...threeRow } = three;
  writeResults("fleet", { tokens, intervalMs, windowMs, one: oneRow, three: threeRow, latency });
} finally {
  await emulator.stop();
  cluster.stop();
}
