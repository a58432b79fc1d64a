/**
 * The stores' mutex per key: one holder per key at a time, keys independent, and a key
 * forgotten once nobody holds or waits for it (including a waiter that was interrupted).
 */
import { describe, expect, it } from "@effect/vitest";
import { Deferred, Effect, Fiber } from "effect";
import { makeKeyedLock } from "../src/KeyedLock.ts";

describe("makeKeyedLock", () => {
  it.effect("admits one holder per key, lets other keys through, and forgets idle keys", () =>
    Effect.gen(function* () {
      const locks = makeKeyedLock();
      const order: Array<string> = [];
      const gate = yield* Deferred.make<void>();
      const first = yield* Effect.forkChild(
        locks.withLock(
          "a",
          Effect.andThen(
            Deferred.await(gate),
            Effect.sync(() => order.push("a1")),
          ),
        ),
      );
      yield* Effect.yieldNow;
      const second = yield* Effect.forkChild(
        locks.withLock(
          "a",
          Effect.sync(() => order.push("a2")),
        ),
      );
      yield* locks.withLock(
        "b",
        Effect.sync(() => order.push("b")),
      );
      yield* Effect.yieldNow;
      // "b" ran while "a" was held; the second "a" waits for the first.
      expect(order).toEqual(["b"]);
      expect(locks.size()).toBe(1);
      yield* Deferred.succeed(gate, undefined);
      yield* Fiber.join(first);
      yield* Fiber.join(second);
      expect(order).toEqual(["b", "a1", "a2"]);
      expect(locks.size()).toBe(0);
    }),
  );

  it.effect("a waiter interrupted while waiting leaves nothing behind", () =>
    Effect.gen(function* () {
      const locks = makeKeyedLock();
      const gate = yield* Deferred.make<void>();
      const holder = yield* Effect.forkChild(locks.withLock("a", Deferred.await(gate)));
      yield* Effect.yieldNow;
      const waiter = yield* Effect.forkChild(locks.withLock("a", Effect.void));
      yield* Effect.yieldNow;
      yield* Fiber.interrupt(waiter);
      yield* Deferred.succeed(gate, undefined);
      yield* Fiber.join(holder);
      expect(locks.size()).toBe(0);
      // The key still works afterwards.
      expect(yield* locks.withLock("a", Effect.succeed(1))).toBe(1);
    }),
  );
});
