/**
 * What sealing tokens at rest costs: AES-256-GCM seal + open per token set (wall and CPU µs,
 * median of rounds), and `rekey` throughput (tokens per second) on N tokens in the file store
 * and in PostgreSQL — first plaintext → k1 (the migration), then k1 → k2 (a rotation).
 *
 *   node --conditions=@miro-token/source src/StoreCryptoBench.ts [--tokens 10000] [--rounds 7]
 *
 * PostgreSQL: `BENCH_POSTGRES_URL` (a database the bench may fill and empty), else a throwaway
 * cluster provisioned the way store-postgres's tests do. Not part of `test`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { FileRekey } from "@miro-token/store-file";
import { type Keyring, makeKeyring, openJson, sealJson } from "@miro-token/store-file/crypto";
import { PostgresRekey, PostgresTokenStore } from "@miro-token/store-postgres";
import { Effect, Redacted, Result } from "effect";
import { writeResults } from "./Report.ts";
import { formatMicros, median } from "./Stats.ts";

const argValue = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const TOKENS = argValue("--tokens", 10_000);
const ROUNDS = argValue("--rounds", 7);

const keyring = (
  current: string,
  ids: ReadonlyArray<string>,
  bytes: Record<string, Buffer>,
): Keyring =>
  Result.getOrThrow(makeKeyring(current, Object.fromEntries(ids.map((id) => [id, bytes[id]!]))));
const keyBytes = { k1: randomBytes(32), k2: randomBytes(32) };
const k1 = keyring("k1", ["k1"], keyBytes);
const k2 = keyring("k2", ["k1", "k2"], keyBytes);

/** A token set's JSON as the stores seal it (Miro-shaped tokens). */
const plainTokenSet = (n: number) => ({
  accessToken: `eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_${randomBytes(20).toString("base64url")}`,
  refreshToken: `eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_${randomBytes(20).toString("base64url")}`,
  expiresAt: 1_767_229_199_000 + n,
  scopes: ["boards:read", "boards:write"],
  teamId: "3074457358607431473",
  userId: "3458764517517852417",
});

const sealOpen = () => {
  const sets = Array.from({ length: 1_000 }, (_, n) => plainTokenSet(n));
  const wall: Array<number> = [];
  const cpu: Array<number> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (const [n, set] of sets.entries()) {
      const binding = { id: `user-${n}`, generation: round + 1 };
      const opened = openJson(k1, sealJson(k1, set, binding), binding);
      if (Result.isFailure(opened)) throw new Error("did not open");
    }
    const used = process.cpuUsage(cpuStarted);
    wall.push(((performance.now() - started) * 1000) / sets.length);
    cpu.push((used.user + used.system) / sets.length);
  }
  return { wallMicros: median(wall), cpuMicros: median(cpu) };
};

const timed = async <A>(run: () => Promise<A>) => {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
};

const fileStore = async () => {
  const directory = await mkdtemp(join(tmpdir(), "bench-crypto-"));
  try {
    // Seed N plaintext documents directly (the documented format), not through N fsyncs.
    for (let n = 0; n < TOKENS; n++) {
      const id = `user-${String(n).padStart(6, "0")}`;
      const document = {
        format: "miro-token/store-file",
        version: 1,
        id,
        generation: 1,
        updatedAt: 0,
        tokenSet: plainTokenSet(n),
      };
      await writeFile(
        join(directory, `${Buffer.from(id).toString("base64url")}.token.json`),
        JSON.stringify(document),
        {
          mode: 0o600,
        },
      );
    }
    const migrate = await timed(() =>
      Effect.runPromise(FileRekey.rekey({ directory, keyring: k1 })),
    );
    const rotate = await timed(() =>
      Effect.runPromise(FileRekey.rekey({ directory, keyring: k2 })),
    );
    return { migrate, rotate };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};

const postgresUrl = async (): Promise<{ url: string; stop: () => Promise<void> | void }> => {
  const given = process.env.BENCH_POSTGRES_URL;
  if (given !== undefined && given !== "") return { url: given, stop: () => undefined };
  const { startCluster } = await import(
    "../../packages/store-postgres/test/provision/PostgresCluster.ts"
  );
  const cluster = await startCluster();
  return { url: cluster.urlOf("postgres"), stop: () => cluster.stop() };
};

const postgresStore = async () => {
  const { url, stop } = await postgresUrl();
  const options = { url: Redacted.make(url), maxConnections: 8 };
  try {
    await Effect.runPromise(PostgresTokenStore.migrate(options));
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* PostgresTokenStore.make(options);
          yield* Effect.forEach(
            Array.from({ length: TOKENS }, (_, n) => n),
            (n) => {
              const set = plainTokenSet(n);
              return store.compareAndSet(`user-${String(n).padStart(6, "0")}`, 0, {
                ...set,
                accessToken: Redacted.make(set.accessToken),
                refreshToken: Redacted.make(set.refreshToken),
              });
            },
            { concurrency: 8, discard: true },
          );
        }),
      ),
    );
    const migrate = await timed(() =>
      Effect.runPromise(PostgresRekey.rekey({ ...options, keyring: k1 })),
    );
    const rotate = await timed(() =>
      Effect.runPromise(PostgresRekey.rekey({ ...options, keyring: k2 })),
    );
    return { migrate, rotate };
  } finally {
    await stop();
  }
};

const perSecond = (run: { result: { rekeyed: number }; seconds: number }) =>
  Math.round(run.result.rekeyed / run.seconds);

const crypto = sealOpen();
console.log(
  `seal + open one token set (AES-256-GCM, ${ROUNDS} rounds × 1,000): ` +
    `${formatMicros(crypto.wallMicros)} wall, ${formatMicros(crypto.cpuMicros)} CPU`,
);
const file = await fileStore();
console.log(
  `file store rekey, ${TOKENS} tokens: plaintext → k1 ${perSecond(file.migrate)}/s (${file.migrate.seconds.toFixed(1)} s), ` +
    `k1 → k2 ${perSecond(file.rotate)}/s (${file.rotate.seconds.toFixed(1)} s)`,
);
const postgres = await postgresStore();
console.log(
  `postgres rekey, ${TOKENS} tokens: plaintext → k1 ${perSecond(postgres.migrate)}/s (${postgres.migrate.seconds.toFixed(1)} s), ` +
    `k1 → k2 ${perSecond(postgres.rotate)}/s (${postgres.rotate.seconds.toFixed(1)} s)`,
);
writeResults("store-crypto", {
  date: new Date().toISOString(),
  cpus: cpus().length,
  tokens: TOKENS,
  sealOpen: crypto,
  file: { migratePerSecond: perSecond(file.migrate), rotatePerSecond: perSecond(file.rotate) },
  postgres: {
    migratePerSecond: perSecond(postgres.migrate),
    rotatePerSecond: perSecond(postgres.rotate),
  },
});
