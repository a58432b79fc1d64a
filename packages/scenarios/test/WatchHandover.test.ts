/**
 * `watchMany` over a store that changes hands, as a fleet replica's does: a token handed to
 * another replica while its refresh waits for the lock ends `Stopped` (not a re-authorization
 * of a token that is fine), a token handed back at the same generation is watched again, and
 * tokens taken over from another replica have their first probes
 * spread over one interval, while a token new to the store is probed at once.
 */
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryStore, TokenStore, type TokenStoreShape, TokenWatcher } from "@miro-token/core";
import { makeStoreChangeFeed } from "@miro-token/core/internal";
import { Clock, Effect, Layer, Option } from "effect";
import { awaitItems, record, tags } from "./support/Collect.ts";
import { advance, scenario, tokenSetOf } from "./support/Harness.ts";

/**
 * A fleet replica's view of `memory`: while `owned` is false every entry reads as absent, as a
 * token handed to another replica does; `feed` publishes the ownership changes.
 */
const replicaShare = (memory: TokenStoreShape) => {
  const feed = makeStoreChangeFeed();
  const share = { owned: true, feed };
  const store: TokenStoreShape = {
    ...memory,
    get: (id) => (share.owned ? memory.get(id) : Effect.succeed(Option.none())),
    changes: feed.changes,
  };
  return Object.assign(share, { store });
};

describe("TokenWatcher.watchMany as a fleet replica", () => {
  it.effect("a token handed away while its refresh waits for the lock ends Stopped", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const now = yield* Clock.currentTimeMillis;
      const issued = s.emu.issueTokens({ accessTokenTtlSeconds: 600 });
      const memory = yield* makeMemoryStore([{ id: "a", tokenSet: tokenSetOf(issued, now) }]);
      // "a" goes to another replica while its refresh waits for the lock.
      const share = replicaShare(memory);
      const store: TokenStoreShape = {
        ...share.store,
        withLock: (id, effect) =>
          Effect.suspend(() => {
            share.owned = false;
            share.feed.publish({ _tag: "Deleted", id });
            return memory.withLock(id, effect);
          }),
      };
      const events = yield* record(TokenWatcher.watchMany({ interval: "1 minute" })).pipe(
        Effect.provide(Layer.succeed(TokenStore, store)),
        Effect.provideContext(s.client),
      );
      yield* advance(s, "8 minutes", "5 seconds");
      const states = tags(events.items.map((e) => ({ ...e, value: e.value.status })));
      // Not "ReauthorizeRequired: not in the token store": the token is fine, just not ours.
      expect(states.at(-1)).toBe("Stopped");
      expect(states).not.toContain("ReauthorizeRequired");
      expect(states).toContain("Refreshing");
      expect(s.traffic.log.filter((e) => e.route === "token")).toHaveLength(0);
    }).pipe(Effect.scoped),
  );

  it.effect(
    "watches a token removed and put back at the same generation again (a fleet hand-back)",
    () =>
      Effect.gen(function* () {
        const s = yield* scenario();
        const now = yield* Clock.currentTimeMillis;
        const memory = yield* makeMemoryStore([
          { id: "a", tokenSet: tokenSetOf(s.emu.issueTokens({ expiring: false }), now) },
        ]);
        // What a fleet replica's store reports when it loses "a" and later gets it back.
        const share = replicaShare(memory);
        const { feed } = share;
        const events = yield* record(TokenWatcher.watchMany({ interval: "1 minute" })).pipe(
          Effect.provide(Layer.succeed(TokenStore, share.store)),
          Effect.provideContext(s.client),
        );
        // Each status is awaited before the next change: a status waits for the token's
        // fingerprint (Web Crypto, real time), which can outlast a whole simulated `advance`,
        // and a loop still waiting would see the token lost and back as one unchanged entry.
        yield* advance(s, "2 minutes", "5 seconds");
        yield* awaitItems(events, 1);
        share.owned = false;
        feed.publish({ _tag: "Deleted", id: "a" });
        yield* advance(s, "2 minutes", "5 seconds");
        yield* awaitItems(events, 2);
        share.owned = true;
        feed.publish({ _tag: "Written", id: "a", generation: 1 });
        yield* advance(s, "2 minutes", "5 seconds");
        yield* awaitItems(events, 3);
        expect(tags(events.items.map((e) => ({ ...e, value: e.value.status })))).toEqual([
          "Active",
          "Stopped",
          "Active",
        ]);
      }).pipe(Effect.scoped),
  );

  it.effect("spreads the first probes of tokens taken over; probes a new token at once", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const now = yield* Clock.currentTimeMillis;
      const memory = yield* makeMemoryStore([]);
      const feed = makeStoreChangeFeed();
      const store: TokenStoreShape = { ...memory, changes: feed.changes };
      yield* record(TokenWatcher.watchMany({ interval: "1 minute" })).pipe(
        Effect.provide(Layer.succeed(TokenStore, store)),
        Effect.provideContext(s.client),
      );
      yield* advance(s, "1 second");
      const probes = () => s.traffic.log.filter((e) => e.route === "token-info").length;
      // 20 tokens another replica watched until now, and one token just added to the store.
      for (let i = 0; i < 20; i++) {
        const id = `taken-${i}`;
        const tokenSet = tokenSetOf(s.emu.issueTokens({ expiring: false }), now);
        yield* memory.compareAndSet(id, 0, tokenSet);
        feed.publish({ _tag: "Written", id, generation: 1, handover: true });
      }
      yield* memory.compareAndSet(
        "new",
        0,
        tokenSetOf(s.emu.issueTokens({ expiring: false }), now),
      );
      feed.publish({ _tag: "Written", id: "new", generation: 1 });
      yield* advance(s, "2 seconds", "1 second");
      // The new token at once; of the 20, about 2 seconds' worth of a one-minute spread.
      expect(probes()).toBeGreaterThanOrEqual(1);
      expect(probes()).toBeLessThanOrEqual(6);
      yield* advance(s, "1 minute", "1 second");
      expect(probes()).toBeGreaterThanOrEqual(21);
    }).pipe(Effect.scoped),
  );
});
