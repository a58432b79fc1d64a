// A fleet replica holds one LISTEN connection (PostgresListener.ts) for its own channel and the
// store's changes: following the owned store's `changes()` opens no second one, a change made
// by another process still arrives through it, and a token added elsewhere is claimed at once
// (the notification pokes the fleet) rather than at the next tick.
import { describe, expect, it } from "@effect/vitest";
import { TokenSet } from "@miro-token/core";
import { Effect, Redacted } from "effect";
import { PostgresFleet, PostgresTokenStore } from "../src/index.ts";
import { awaitListeners, follow, listeners, next } from "./ChangeListeners.ts";
import { migratedDatabase } from "./Databases.ts";

const tokenSet = TokenSet.make({ accessToken: Redacted.make("at"), scopes: [] });

describe("the fleet's listener", () => {
  it.live("one LISTEN connection per replica, shared by the store's changes and the fleet", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      // A tick far away: only a notification can make the replica claim a new token soon.
      const fleet = yield* PostgresFleet.make(options, { leaseTtl: 30_000, tickEvery: 30_000 });
      const seen = yield* follow(fleet.store);
      yield* awaitListeners(options.url, 1);
      yield* Effect.sleep("300 millis");
      expect(yield* listeners(options.url)).toHaveLength(1);

      // Added by another process (its own pool): claimed, then seen as written, within 1 s.
      const other = yield* PostgresTokenStore.make(options);
      yield* other.compareAndSet("added", 0, tokenSet);
      // New to the fleet, not taken over: probed at once.
      expect(yield* next(seen)).toEqual({
        _tag: "Written",
        id: "added",
        generation: 1,
        handover: false,
      });
      expect(fleet.membership.owns("added")).toBe(true);
      expect(fleet.health().listening).toBe(true);
    }).pipe(Effect.scoped),
  );
});
