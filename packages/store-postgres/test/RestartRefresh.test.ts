// No rotated pair is lost when PostgreSQL goes down in the worst moment: right after Miro (the
// emulator, over real HTTP) rotated the pair and before the store wrote it. The database is
// stopped (pg_ctl) just before that write; core's refresher keeps the new pair
// and writes it again (each failure a StoreError that says "unavailable"); the server comes
// back; the pair lands as generation 2, and the next refresh (which Miro accepts only with the
// newest refresh token) succeeds.
import { describe, expect, it } from "@effect/vitest";
import type { TokenStoreShape } from "@miro-token/core";
import { makeRefresher } from "@miro-token/core/internal";
import { Effect, Redacted } from "effect";
import { PostgresTokenStore } from "../src/index.ts";
import { clientOf, emulatorOf } from "./EmulatorClient.ts";
import { type PostgresCluster, startCluster } from "./provision/PostgresCluster.ts";

const cluster = Effect.acquireRelease(
  Effect.promise(() => startCluster()),
  (started) => Effect.sync(() => started.stop()),
);
/** `store`, with the database stopped just before the first write of a refreshed pair. */
const stoppingBeforeWrite = (store: TokenStoreShape, pg: PostgresCluster): TokenStoreShape => {
  let stopped = false;
  return {
    ...store,
    compareAndSet: (id, expected, next) =>
      Effect.suspend(() => {
        if (!stopped && expected === 1) {
          stopped = true;
          pg.stopServer();
        }
        return store.compareAndSet(id, expected, next);
      }),
  };
};

describe("PostgreSQL restart during a refresh", () => {
  it.live(
    "the rotated pair is written once the database is back, and Miro accepts it next",
    () =>
      Effect.gen(function* () {
        const pg = yield* cluster;
        const emulator = yield* emulatorOf;
        const options = {
          url: Redacted.make(pg.urlOf("postgres")),
          connectTimeout: "1 second",
        } as const;
        yield* PostgresTokenStore.migrate(options);
        const store = yield* PostgresTokenStore.make(options);
        const issued = emulator.issueTokens({
          clientId: emulator.seed!.client.clientId,
          expiring: true,
        });
        yield* store.compareAndSet("alice", 0, {
          accessToken: Redacted.make(issued.accessToken),
          refreshToken: Redacted.make(issued.refreshToken ?? ""),
          scopes: [],
        });
        const refresher = makeRefresher(stoppingBeforeWrite(store, pg), yield* clientOf(emulator));
        const failures: Array<string> = [];
        const refreshed = yield* refresher.refresh("alice", 1, {
          onPersistFailed: (error) =>
            Effect.sync(() => {
              failures.push(error.reason);
              if (failures.length === 1) pg.startServer();
            }),
        });
        expect(failures.length).toBeGreaterThanOrEqual(1);
        for (const reason of failures) expect(reason).toMatch(/^unavailable: /);
        expect(refreshed.generation).toBe(2);
        const stored = yield* store.get("alice");
        expect(stored._tag === "Some" && Redacted.value(stored.value.tokenSet.accessToken)).toBe(
          Redacted.value(refreshed.tokenSet.accessToken),
        );
        // Miro rotated on receipt: only the stored (newest) refresh token works now.
        const next = yield* refresher.refresh("alice", 2);
        expect(next.generation).toBe(3);
      }).pipe(Effect.scoped),
    60_000,
  );
});
