// `miro-token-watcher --store postgres://…` started twice is one fleet: the two binaries split
// the tokens (each `/healthz` says so), SIGTERM gives a replica's tokens back at once (the
// other owns them all well within the lease), and a SIGKILLed replica's tokens are taken over
// once its lease has run out.
import { PostgresTokenStore } from "@miro-token/store-postgres";
import { Effect, Redacted } from "effect";
import { describe, expect, it } from "vitest";
import { getJson, startSyncedEmulator, tokenSetOf, waitFor } from "../Fixtures.ts";
import { spawnWatcher } from "../WatcherProcess.ts";
import { clusterForReplicas, migratedDatabase, storeTokens } from "./FleetDatabase.ts";
import { killAllReplicas, startReplica } from "./ReplicaProcess.ts";

const db = clusterForReplicas();

interface Health {
  readonly status: string;
  readonly fleet?: { readonly replicas: number; readonly owned: number; readonly database: string };
}

const LEASE_MS = 3_000;

describe("miro-token-watcher --store postgres:// started N times", () => {
  it("is one fleet: splits the tokens, SIGTERM hands over at once, SIGKILL within the lease", async () => {
    const { emulator, stop } = await startSyncedEmulator();
    try {
      const options = await migratedDatabase(db.cluster);
      const at = emulator.clock.now();
      await storeTokens(
        options,
        Array.from({ length: 10 }, (_, i) => ({
          id: `token-${i}`,
          tokenSet: tokenSetOf(emulator.issueTokens(), at),
        })),
      );
      const url = new URL(Redacted.value(options.url));
      const env = { PGPASSWORD: decodeURIComponent(url.password) };
      url.password = "";
      const args = [
        ...["--store", url.href, "--base-url", emulator.baseUrl, "--interval", "500ms"],
        ...["--fleet-lease", `${LEASE_MS}ms`],
      ];
      const start = () => startReplica(args, env, 120);
      const owned = async (replicaUrl: string) =>
        (await getJson<Health>(`${replicaUrl}/healthz`)).fleet;

      const [a, b, c] = [await start(), await start(), await start()];
      let seen: unknown;
      await waitFor("the tokens split over the three", async () => {
        const views = await Promise.all([a, b, c].map((r) => owned(r.url)));
        seen = views;
        const total = views.reduce((sum, v) => sum + (v?.owned ?? 0), 0);
        return (total === 10 && views.every((v) => v?.replicas === 3 && v.owned > 0)) || undefined;
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}; last seen ${JSON.stringify(seen)}`);
      });

      // SIGTERM: exit 0, and its tokens are the others' long before the lease would end.
      const stoppedAt = Date.now();
      process.kill(c.pid, "SIGTERM");
      expect(await c.exited).toBe(0);
      await waitFor("a and b own every token", async () => {
        const [x, y] = [await owned(a.url), await owned(b.url)];
        return (x?.replicas === 2 && (x?.owned ?? 0) + (y?.owned ?? 0) === 10) || undefined;
      });
      expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS);

      // SIGKILL: nothing is given back; a takes b's tokens over once b's lease has run out.
      const killedAt = Date.now();
      b.kill();
      await b.exited;
      await waitFor(
        "a owns every token",
        async () => (await owned(a.url))?.owned === 10 || undefined,
        3 * LEASE_MS,
      );
      expect(Date.now() - killedAt).toBeLessThan(2 * LEASE_MS + 2_000);
      process.kill(a.pid, "SIGTERM");
      expect(await a.exited).toBe(0);
    } finally {
      await killAllReplicas();
      await stop();
    }
  }, 120_000);

  it("a PostgreSQL outage: tokens are Unreachable with the cause, never Invalid; then Active again", async () => {
    const { emulator, stop } = await startSyncedEmulator();
    try {
      const client = emulator.seed!.client;
      const options = await migratedDatabase(db.cluster);
      const at = emulator.clock.now();
      const ids = ["one", "two", "three", "four"];
      await storeTokens(
        options,
        ids.map((id) => ({ id, tokenSet: tokenSetOf(emulator.issueTokens(), at) })),
      );
      const url = new URL(Redacted.value(options.url));
      const env = {
        PGPASSWORD: decodeURIComponent(url.password),
        MIRO_CLIENT_SECRET: client.clientSecret,
      };
      url.password = "";
      // Every token always within its refresh window: each probe is a refresh through the store.
      const replica = await startReplica(
        [
          ...["--store", url.href, "--base-url", emulator.baseUrl, "--client-id", client.clientId],
          ...["--interval", "1s", "--refresh-window", "1000h", "--fleet-lease", "5s"],
        ],
        env,
        120,
      );
      const tokens = async () =>
        (
          await getJson<{
            tokens: ReadonlyArray<{ id: string; state: string; reason: string | null }>;
          }>(`${replica.url}/tokens`)
        ).tokens;
      const watching = ["Active", "Refreshing"];
      let before: unknown;
      await waitFor("every token Active", async () => {
        const seen = await tokens();
        before = seen;
        return (seen.length === 4 && seen.every((t) => watching.includes(t.state))) || undefined;
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}; last seen ${JSON.stringify(before)}`);
      });
      db.cluster.stopServer();
      const during: Array<{ id: string; state: string; reason: string | null }> = [];
      let health: Health | undefined;
      try {
        // Each token meets the outage at its next refresh (one a second).
        await waitFor(
          "every token reporting the store's failure",
          async () => {
            const seen = await tokens();
            during.push(...seen);
            health = await getJson<Health>(`${replica.url}/healthz`);
            return seen.every((t) => t.reason?.includes("StoreError Unavailable")) || undefined;
          },
          20_000,
        ).catch((error: unknown) => {
          throw new Error(`${String(error)}; last seen ${JSON.stringify(during.slice(-4))}`);
        });
      } finally {
        db.cluster.startServer();
      }
      // Unreachable (the lock could not be taken) or PersistFailed (Miro had rotated; the pair
      // is kept and written once the database answers): never a verdict on the token.
      const failing = ["Unreachable", "PersistFailed"];
      expect(during.filter((t) => ![...watching, ...failing].includes(t.state))).toEqual([]);
      for (const token of during.filter((t) => failing.includes(t.state)))
        expect(token.reason).toContain("StoreError Unavailable");
      expect(health?.status).toBe("degraded");
      expect(health?.fleet?.database).toBe("unreachable");
      await waitFor(
        "every token watched again",
        async () => (await tokens()).every((t) => watching.includes(t.state)) || undefined,
        30_000,
      );
      process.kill(replica.pid, "SIGTERM");
      expect(await replica.exited).toBe(0);
      // No rotated pair was lost: every stored pair is the one Miro accepts.
      const stored = await Effect.runPromise(
        Effect.scoped(Effect.flatMap(PostgresTokenStore.make(options), (s) => s.list())),
      );
      expect(stored).toHaveLength(4);
      for (const entry of stored) {
        expect(emulator.accessTokenState(Redacted.value(entry.tokenSet.accessToken))).toBe(
          "active",
        );
        const refresh = entry.tokenSet.refreshToken;
        expect(refresh && emulator.refreshTokenState(Redacted.value(refresh))).toBe("active");
      }
    } finally {
      await killAllReplicas();
      await stop();
    }
  }, 120_000);

  it("a lease out of bounds: exit 2 naming the flag or the variable", async () => {
    const store = `postgres://watcher@127.0.0.1:${db.cluster.port}/none`;
    const long = spawnWatcher(["--store", store, "--fleet-lease", "45s"]);
    expect((await long.exit).code).toBe(2);
    expect(long.stderr()).toContain('--fleet-lease must be at most 30s, got "45s"');
    const short = spawnWatcher(["--store", store], { MIRO_WATCHER_FLEET_LEASE: "100ms" });
    expect((await short.exit).code).toBe(2);
    expect(short.stderr()).toContain("MIRO_WATCHER_FLEET_LEASE must be a duration of at least");
  }, 60_000);
});
