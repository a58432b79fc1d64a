// What a replica's store says when it takes a token over: a token some replica already
// reported on is a `handover` (core spreads its first probe over one interval), a token nobody
// watched yet is not (core probes it at once). Real PostgreSQL, two members in this process,
// 2 s leases; the takeover is a rebalance (the first member gives its excess back).
import { describe, expect, it } from "@effect/vitest";
import { type StoreChange, TokenSet } from "@miro-token/core";
import { Effect, Fiber, Redacted, Stream } from "effect";
import { PostgresFleet, PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase } from "./Databases.ts";

const FAST = { leaseTtl: 2_000, tickEvery: 250 } as const;
const IDS = ["t0", "t1", "t2", "t3"];

describe("a token taken over", () => {
  it.live("is a handover when a replica reported on it before, not when it is new", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const seeded = yield* PostgresTokenStore.make(options);
      const tokenSet = TokenSet.make({ accessToken: Redacted.make("at"), scopes: [] });
      for (const id of IDS) yield* seeded.compareAndSet(id, 0, tokenSet);
      const first = yield* PostgresFleet.make(options, FAST);
      expect(first.membership.owned().size).toBe(4);
      // The first member reported on every token but t3 (as a watcher does once it probed).
      yield* first.status.write(
        ["t0", "t1", "t2"].map((id) => ({ id, state: "Active", generation: 1, view: {} })),
      );
      const second = yield* PostgresFleet.make(options, FAST);
      const gained = yield* Effect.forkChild(
        second.store.changes!().pipe(
          Stream.filter(
            (change): change is Extract<StoreChange, { _tag: "Written" }> =>
              change._tag === "Written",
          ),
          Stream.take(2),
          Stream.runCollect,
        ),
      );
      // The first member gives back its excess (t2, t3); they are claimable after its grace.
      const written = yield* Fiber.join(gained).pipe(Effect.timeout("10 seconds"));
      const byId = [...written].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId.map(({ id, handover }) => [id, handover])).toEqual([
        ["t2", true],
        ["t3", false],
      ]);
    }).pipe(Effect.scoped),
  );
});
