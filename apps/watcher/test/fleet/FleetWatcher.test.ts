// Two watcher replicas in this process on one real PostgreSQL and the emulator: they split the
// tokens, each one's `/tokens` shows the whole fleet, `/events` on one streams a change the
// other made, `/healthz` reports the database, and a replica that stops hands its tokens to
// the other at once.
import type { PostgresStoreOptions } from "@miro-token/store-postgres";
import { Effect } from "effect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PostgresCluster } from "../../../../packages/store-postgres/test/provision/PostgresCluster.ts";
import { getJson, startSyncedEmulator, statesOf, tokenSetOf, waitFor } from "../Fixtures.ts";
import { connectSse } from "../Sse.ts";
import { migratedDatabase, startPostgres, storeTokens } from "./FleetDatabase.ts";
import { startInProcessReplica } from "./InProcessReplica.ts";

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(() => cluster?.stop());

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startReplica = (options: PostgresStoreOptions, emulator: Emulator) =>
  startInProcessReplica(
    options,
    emulator,
    cleanups,
    { leaseTtl: 2_000, tickEvery: 250 },
    { interval: 400, jitter: 0, rescanInterval: 200 },
  );

type Emulator = Awaited<ReturnType<typeof startSyncedEmulator>>["emulator"];

describe("a watcher fleet", () => {
  it("splits the tokens, shows the whole fleet everywhere and hands over at stop", async () => {
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    const options = await migratedDatabase(cluster);
    const issued = Array.from({ length: 12 }, (_, i) => ({
      ...emulator.issueTokens(),
      id: `token-${String(i).padStart(2, "0")}`,
    }));
    const at = emulator.clock.now();
    await storeTokens(
      options,
      issued.map((t) => ({ id: t.id, tokenSet: tokenSetOf(t, at) })),
    );

    const a = await startReplica(options, emulator);
    const b = await startReplica(options, emulator);
    await waitFor("an even split", () => a.fleet.membership.owned().size === 6 || undefined);
    await waitFor("b's half", () => b.fleet.membership.owned().size === 6 || undefined);
    for (const id of a.fleet.membership.owned()) expect(b.fleet.membership.owns(id)).toBe(false);

    // Each replica's /tokens shows all 12 Active, half of them probed by the other replica.
    for (const replica of [a, b]) {
      await waitFor("every token Active on every replica", async () => {
        const states = Object.values(await statesOf(replica.watcher.url));
        return (states.length === 12 && states.every((s) => s === "Active")) || undefined;
      });
    }

    // A owned all 12 before B joined, and handed 6 over: that is no `Stopped` in its log (the
    // tokens were not removed), and no line at all for them.
    const stoppedLines = (lines: ReadonlyArray<string>) =>
      lines.filter((l) => l.includes('"state":"Stopped"'));
    expect(stoppedLines(a.watcher.lines)).toEqual([]);

    // /events on A streams what B reports: a token of B's is revoked behind its back.
    const sse = await connectSse(`${a.watcher.url}/events`);
    const theirs = issued.find((t) => b.fleet.membership.owns(t.id));
    expect(theirs).toBeDefined();
    emulator.revokeAccess(theirs?.accessToken ?? "");
    await waitFor("A's /events shows what B reported", () =>
      sse.messages.some(
        (m) =>
          m.event === "status" &&
          m.data.includes(`"id":"${theirs?.id}"`) &&
          m.data.includes('"state":"ReauthorizeRequired"'),
      ),
    );
    sse.close();
    // B probed it and logged it; A only shows it (its own log has no such line).
    const revoked = (l: string) =>
      l.includes(`"id":"${theirs?.id}"`) && l.includes('"state":"ReauthorizeRequired"');
    expect(a.watcher.lines.some(revoked)).toBe(false);
    expect(b.watcher.lines.some(revoked)).toBe(true);

    const health = await getJson<{ status: string; fleet: Record<string, unknown> }>(
      `${a.watcher.url}/healthz`,
    );
    expect(health.status).toBe("ok");
    expect(health.fleet).toMatchObject({ database: "ok", replicas: 2, owned: 6, listening: true });

    // B stops (SIGTERM in the binary): its tokens are A's at once, not after the 2 s lease.
    const stoppedAt = Date.now();
    await b.stop();
    await waitFor("A owns every token", () => a.fleet.membership.owned().size === 12 || undefined);
    expect(Date.now() - stoppedAt).toBeLessThan(1_500);
    const states = await statesOf(a.watcher.url);
    expect(Object.keys(states)).toHaveLength(12);

    // A real removal is still said: one `Stopped` line for the removed token.
    const removed = issued[0]?.id ?? "";
    await Effect.runPromise(Effect.orDie(a.fleet.wholeStore.delete(removed)));
    await waitFor("the removal logged", () =>
      stoppedLines(a.watcher.lines).some((l) => l.includes(`"id":"${removed}"`)),
    );
    expect(stoppedLines(a.watcher.lines)).toHaveLength(1);
  }, 60_000);
});
