// `miro-token-watcher --store postgres://…` started twice is one fleet: the two binaries split
// the tokens (each `/healthz` says so), SIGTERM gives a replica's tokens back at once (the
// other owns them all well within the lease), and a SIGKILLed replica's tokens are taken over
// once its lease has run out.
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresCluster } from "../../../../packages/store-postgres/test/provision/PostgresCluster.ts";
import { getJson, startSyncedEmulator, tokenSetOf, waitFor } from "../Fixtures.ts";
import { migratedDatabase, startPostgres, storeTokens } from "./FleetDatabase.ts";
import { killAllReplicas, startReplica } from "./ReplicaProcess.ts";

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await killAllReplicas();
  cluster?.stop();
});

interface Health {
  readonly status: string;
  readonly fleet?: { readonly replicas: number; readonly owned: number; readonly database: string };
}

const LEASE_MS = 3_000;

describe("miro-token-watcher --store postgres:// started N times", () => {
  it("is one fleet: splits the tokens, SIGTERM hands over at once, SIGKILL within the lease", async () => {
    const { emulator, stop } = await startSyncedEmulator();
    try {
      const options = await migratedDatabase(cluster);
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
});
