/**
 * A new pair that cannot be stored (RELIABILITY "persist failure", the in-process half of
 * target 15): the store's compare-and-set fails a few times after Miro rotated. The watcher
 * reports PersistFailed, keeps the new pair in memory and retries the write with backoff, and
 * never presents the old refresh token again; once the write lands the token is Refreshed.
 */
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryStore, StoreError, type TokenStoreShape, TokenWatcher } from "@miro-token/core";
import { Clock, Effect, Option, Redacted } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, scenario, tokenSetOf } from "./support/Harness.ts";

/** The store, with its next `failures` compare-and-sets failing like a full disk. */
const failingWrites = (store: TokenStoreShape, failures: number): TokenStoreShape => {
  let left = failures;
  return {
    ...store,
    compareAndSet: (id, generation, next) =>
      Effect.suspend(() => {
        if (left <= 0) return store.compareAndSet(id, generation, next);
        left -= 1;
        return Effect.fail(
          new StoreError({ attempts: 0, operation: "compareAndSet", reason: "ENOSPC" }),
        );
      }),
  };
};

describe("persist failure", () => {
  it.effect("keeps the new pair, retries the write, and never re-presents the old token", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const issued = s.emu.issueTokens({ expiring: true });
      const now = yield* Clock.currentTimeMillis;
      const tokenSet = { ...tokenSetOf(issued, now), expiresAt: now + 4 * 60_000 };
      const memory = yield* makeMemoryStore([{ id: "erin", tokenSet }]);
      const store = failingWrites(memory, 4);
      const statuses = yield* record(
        TokenWatcher.watch({ id: "erin", store }, { interval: "1 minute" }),
      ).pipe(Effect.provideContext(s.client));
      yield* advance(s, "3 minutes", "1 second");
      const seen = tags(statuses.items);
      expect(seen.slice(0, 5)).toEqual([
        "Expiring",
        "Refreshing",
        "PersistFailed",
        "Refreshed",
        "Active",
      ]);
      const failed = statuses.items.find((item) => item.value._tag === "PersistFailed")?.value;
      expect(failed).toEqual({ _tag: "PersistFailed", error: { tag: "StoreError" }, attempt: 1 });
      const refreshes = s.traffic.log.filter((r) => r.route === "token");
      expect(refreshes.map((r) => r.grant)).toEqual([issued.refreshToken]);
      const stored = Option.getOrThrow(yield* memory.get("erin"));
      expect(stored.generation).toBe(2);
      const refreshToken = Redacted.value(stored.tokenSet.refreshToken ?? Redacted.make(""));
      expect(s.emu.refreshTokenState(refreshToken)).toBe("active");
    }).pipe(Effect.scoped),
  );
});
