// The status row of a removed token does not stay forever: once the other replicas' readers
// have had time to show the removal (`statusPruneAfter`), a replica deletes it; a stored
// token's row stays however old it is.
import { describe, expect, it } from "@effect/vitest";
import { TokenSet } from "@miro-token/core";
import { Effect, Redacted } from "effect";
import { PostgresFleet, PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase } from "./Databases.ts";

const tokenSet = TokenSet.make({ accessToken: Redacted.make("at"), scopes: [] });

describe("the fleet's status table", () => {
  it.live("forgets a removed token's row after statusPruneAfter, keeps a stored one's", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const store = yield* PostgresTokenStore.make(options);
      yield* store.compareAndSet("kept", 0, tokenSet);
      yield* store.compareAndSet("removed", 0, tokenSet);
      const fleet = yield* PostgresFleet.make(options, {
        leaseTtl: 2_000,
        tickEvery: 250,
        statusPruneAfter: "300 millis",
      });
      const update = (id: string, state: string) => ({ id, state, generation: 1, view: { state } });
      fleet.writer.offer(update("kept", "Active"));
      fleet.writer.offer(update("removed", "Active"));
      yield* fleet.writer.flush;
      yield* store.delete("removed");
      fleet.writer.offer(update("removed", "Stopped"));
      yield* fleet.writer.flush;
      const ids = () =>
        Effect.map(fleet.status.since(0), (rows) => rows.map((row) => row.id).sort());
      expect(yield* ids()).toEqual(["kept", "removed"]);
      yield* Effect.sleep("1200 millis");
      expect(yield* ids()).toEqual(["kept"]);
    }).pipe(Effect.scoped),
  );
});
