/**
 * The in-memory TokenStore: compare-and-set on generations, conflicts reported as results, and
 * `withLock` admitting one holder per id at a time.
 */
import { describe, expect, it } from "@effect/vitest";
import { Effect, Fiber, Option, Redacted, Stream } from "effect";
import { TestClock } from "effect/testing";
import type { TokenSet } from "../src/TokenSet.ts";
import { scanStore, TokenStore } from "../src/TokenStore.ts";

const tokenSet = (n: number): TokenSet => ({
  accessToken: Redacted.make(`access-${n}`),
  refreshToken: Redacted.make(`refresh-${n}`),
  scopes: ["boards:read"],
});

describe("TokenStore.layerMemory", () => {
  it.effect("reports writes, intents and deletes on its change stream", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore;
      const changes = yield* Effect.forkChild(Stream.runCollect(Stream.take(store.changes!(), 4)));
      yield* Effect.yieldNow;
      yield* store.compareAndSet("a", 0, tokenSet(1));
      yield* store.recordRefreshIntent("a", { generation: 1, startedAt: 0 });
      yield* store.compareAndSet("a", 1, tokenSet(2));
      yield* store.delete("a");
      yield* store.delete("a");
      expect(Array.from(yield* Fiber.join(changes))).toEqual([
        { _tag: "Written", id: "a", generation: 1 },
        { _tag: "Written", id: "a", generation: 1 },
        { _tag: "Written", id: "a", generation: 2 },
        { _tag: "Deleted", id: "a" },
      ]);
    }).pipe(Effect.provide(TokenStore.layerMemory())),
  );

  it.effect("writes generation 1 for a new id and refuses a stale expectation", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore;
      const first = yield* store.compareAndSet("a", 0, tokenSet(1));
      expect(first._tag).toBe("Written");
      const stale = yield* store.compareAndSet("a", 0, tokenSet(2));
      expect(stale._tag).toBe("Conflict");
      if (stale._tag === "Conflict") {
        expect(Option.getOrThrow(stale.current).generation).toBe(1);
      }
      const second = yield* store.compareAndSet("a", 1, tokenSet(3));
      expect(second._tag === "Written" && second.stored.generation).toBe(2);
      const stored = Option.getOrThrow(yield* store.get("a"));
      expect(Redacted.value(stored.tokenSet.accessToken)).toBe("access-3");
      expect((yield* store.list()).map((s) => s.id)).toEqual(["a"]);
      yield* store.delete("a");
      expect(Option.isNone(yield* store.get("a"))).toBe(true);
    }).pipe(Effect.provide(TokenStore.layerMemory())),
  );

  it.effect("seeds initial entries at generation 1", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore;
      const seeded = Option.getOrThrow(yield* store.get("seed"));
      expect(seeded.generation).toBe(1);
    }).pipe(Effect.provide(TokenStore.layerMemory([{ id: "seed", tokenSet: tokenSet(0) }]))),
  );

  it.effect("withLock lets one holder in at a time per id, others run freely", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore;
      const order: Array<string> = [];
      const hold = (name: string, id: string) =>
        store.withLock(
          id,
          Effect.gen(function* () {
            order.push(`${name}:in`);
            yield* Effect.sleep("1 second");
            order.push(`${name}:out`);
          }),
        );
      const a = yield* Effect.forkChild(hold("a1", "a"));
      const b = yield* Effect.forkChild(hold("a2", "a"));
      const c = yield* Effect.forkChild(hold("b1", "b"));
      yield* TestClock.adjust("1 second");
      yield* TestClock.adjust("1 second");
      yield* Fiber.join(a);
      yield* Fiber.join(b);
      yield* Fiber.join(c);
      expect(order.indexOf("a2:in")).toBeGreaterThan(order.indexOf("a1:out"));
      expect(order.indexOf("b1:in")).toBeLessThan(order.indexOf("a1:out"));
    }).pipe(Effect.provide(TokenStore.layerMemory())),
  );

  it.effect(
    "scan lists every entry as readable; scanStore falls back to list for a store without scan",
    () =>
      Effect.gen(function* () {
        const store = yield* TokenStore;
        yield* store.compareAndSet("a", 0, tokenSet(1));
        const scanned = yield* scanStore(store);
        expect(scanned.entries.map((s) => s.id)).toEqual(["a"]);
        expect(scanned.unreadable).toEqual([]);
        const { scan: _none, ...listOnly } = store;
        const fallback = yield* scanStore(listOnly);
        expect(fallback.entries.map((s) => s.id)).toEqual(["a"]);
        expect(fallback.unreadable).toEqual([]);
      }).pipe(Effect.provide(TokenStore.layerMemory())),
  );
});
