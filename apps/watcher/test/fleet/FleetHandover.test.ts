// A token handed over on a rebalance is probed by one replica at a time: two watcher replicas
// on a real PostgreSQL and the emulator, every token-info answer delayed so a probe is nearly
// always in flight, and the emulator's request log read per token afterwards. Without the
// handover grace the new owner's first probe starts while the old owner's last one is still
// waiting for its answer (and the old owner may go on probing a token it no longer owns).
import { createHash } from "node:crypto";
import type { LoggedRequest } from "@miro-token/emulator";
import type { PostgresStoreOptions } from "@miro-token/store-postgres";
import { describe, expect, it } from "vitest";
import { cleanupsAfterEach, startSyncedEmulator, tokenSetOf, waitFor } from "../Fixtures.ts";
import { clusterForReplicas, migratedDatabase, storeTokens } from "./FleetDatabase.ts";
import { startInProcessReplica } from "./InProcessReplica.ts";

const db = clusterForReplicas();
const cleanups = cleanupsAfterEach();

type Emulator = Awaited<ReturnType<typeof startSyncedEmulator>>["emulator"];

/** How long the emulator takes to answer every token-info request. */
const ANSWER_MS = 700;
/** Longer than any probe started before a handover can take (one delayed answer). */
const GRACE_MS = 2_000;

const startReplica = (options: PostgresStoreOptions, emulator: Emulator) =>
  startInProcessReplica(
    options,
    emulator,
    cleanups,
    { leaseTtl: 4_000, tickEvery: 250, handoverGrace: GRACE_MS },
    { interval: 200, jitter: 0, rescanInterval: 200 },
  );

/** The emulator's masked form of a bearer token (`SecretMask.maskSecret`). */
const maskedBearer = (token: string) =>
  `Bearer ${token.slice(0, 4)}…(masked:${createHash("sha256").update(token).digest("hex").slice(0, 4)})`;

/** Pairs of one token's token-info requests whose answers overlapped in time. */
const overlaps = (requests: ReadonlyArray<LoggedRequest>, token: string) => {
  const times = requests
    .filter((r) => r.route === "token-info" && r.headers.authorization === maskedBearer(token))
    .map((r) => r.time)
    .sort((a, b) => a - b);
  const found: Array<[number, number]> = [];
  // Each request is answered ANSWER_MS after it arrived; 100 ms of slack for the clock sync.
  for (let i = 1; i < times.length; i++) {
    const [before, after] = [times[i - 1] ?? 0, times[i] ?? 0];
    if (after - before < ANSWER_MS - 100) found.push([before, after]);
  }
  return { count: times.length, found };
};

describe("a handover on rebalance", () => {
  it("never has two replicas probing one token at once", async () => {
    const { emulator, stop } = await startSyncedEmulator();
    cleanups.push(stop);
    const options = await migratedDatabase(db.cluster);
    const issued = Array.from({ length: 8 }, (_, i) => ({
      ...emulator.issueTokens(),
      id: `token-${i}`,
    }));
    const at = emulator.clock.now();
    await storeTokens(
      options,
      issued.map((t) => ({ id: t.id, tokenSet: tokenSetOf(t, at) })),
    );
    emulator.queueFault("token-info", { kind: "delay", ms: ANSWER_MS }, 100_000);

    await startReplica(options, emulator);
    await waitFor(
      "a probing every token",
      () => issued.every((t) => overlaps(emulator.requests, t.accessToken).count >= 2) || undefined,
    );
    const b = await startReplica(options, emulator);
    await waitFor(
      "b's half, probed",
      () =>
        (b.fleet.membership.owned().size === 4 &&
          [...b.fleet.membership.owned()].every((id) => {
            const token = issued.find((t) => t.id === id)?.accessToken ?? "";
            return overlaps(emulator.requests, token).count >= 4;
          })) ||
        undefined,
      20_000,
    );
    // A few more probe rounds after the handover, then the log per token.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const found = issued
      .map((t) => ({ id: t.id, ...overlaps(emulator.requests, t.accessToken) }))
      .filter((t) => t.found.length > 0);
    expect(found).toEqual([]);
  }, 60_000);
});
