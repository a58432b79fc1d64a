// Surviving a PostgreSQL restart, on a cluster of this test's own (the shared one serves the
// other files meanwhile): while the server is down every operation fails at once with a
// StoreError that says the database is unavailable (core maps a StoreError to Unreachable,
// never Invalid) and never shows the password; once it is back the same store instance works
// again without being rebuilt (the pool reconnects), the change listener reconnects with a
// Resync, and nothing written before the outage is lost.
import { describe, expect, it } from "@effect/vitest";
import type { StoreError } from "@miro-token/core";
import { summarizeFailure } from "@miro-token/core/internal";
import { storeTokenSet } from "@miro-token/testkit";
import { Effect, Option, Queue, Redacted, Schedule } from "effect";
import { PostgresTokenStore } from "../src/index.ts";
import { awaitListeners, follow, next } from "./ChangeListeners.ts";
import { type PostgresCluster, startCluster } from "./provision/PostgresCluster.ts";

const cluster = Effect.acquireRelease(
  Effect.promise(() => startCluster()),
  (started) => Effect.sync(() => started.stop()),
);

/** Retry `effect` every 100 ms for up to 15 s: the pool reconnects on demand. */
const eventually = <A>(effect: Effect.Effect<A, StoreError>) =>
  effect.pipe(Effect.retry({ times: 150, schedule: Schedule.spaced("100 millis") }));

describe("PostgreSQL restart", () => {
  it.live(
    "operations fail as unavailable during the outage and work again after it",
    () =>
      Effect.gen(function* () {
        const pg: PostgresCluster = yield* cluster;
        const options = {
          url: Redacted.make(pg.urlOf("postgres")),
          maxConnections: 2,
          connectTimeout: "1 second",
          reconnect: { initial: "50 millis", max: "500 millis" },
        } as const;
        yield* PostgresTokenStore.migrate(options);
        const store = yield* PostgresTokenStore.make(options);
        const seen = yield* follow(store);
        yield* awaitListeners(options.url);
        yield* store.compareAndSet("alice", 0, storeTokenSet(1));
        const rotated = yield* store.compareAndSet("alice", 1, storeTokenSet(2));
        expect(rotated._tag).toBe("Written");
        expect(yield* next(seen)).toMatchObject({ generation: 1 });
        expect(yield* next(seen)).toMatchObject({ generation: 2 });

        pg.stopServer();
        for (const attempt of [
          store.get("alice"),
          store.list(),
          store.compareAndSet("alice", 2, storeTokenSet(3)),
          store.delete("alice"),
        ]) {
          const error = yield* Effect.flip(attempt as Effect.Effect<unknown, StoreError>);
          expect(error._tag).toBe("StoreError");
          expect(error.reason).toMatch(/^unavailable: /);
          // What a watcher's /tokens, page and metrics show of it: tag and kind, no text.
          expect(summarizeFailure(error)).toEqual({ tag: "StoreError", kind: "Unavailable" });
          expect(error.message).not.toContain(pg.password);
        }

        pg.startServer();
        const back = yield* eventually(store.get("alice"));
        expect(Option.map(back, (entry) => entry.generation)).toEqual(Option.some(2));
        // The listener says Resync once it has reconnected, then follows changes again.
        const resync = yield* Queue.take(seen).pipe(Effect.timeout("15 seconds"));
        expect(resync).toEqual({ _tag: "Resync" });
        yield* awaitListeners(options.url);
        const written = yield* store.compareAndSet("alice", 2, storeTokenSet(3));
        expect(written._tag).toBe("Written");
        expect(yield* next(seen)).toEqual({ _tag: "Written", id: "alice", generation: 3 });
      }).pipe(Effect.scoped),
    60_000,
  );
});
