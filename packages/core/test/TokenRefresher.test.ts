/**
 * The refresh protocol over a scripted transport and the memory store: a newer stored
 * generation is returned without a request, a rejected grant is final (ReauthorizeRequired, no
 * second request), a lost compare-and-set race returns the winner's pair, and a failed write
 * is retried with the new pair (never the old refresh token).
 */
import { describe, expect, it } from "@effect/vitest";
import { Effect, Fiber, Option, Redacted } from "effect";
import { TestClock } from "effect/testing";
import {
  makeMemoryStore,
  StoreError,
  TokenClient,
  type TokenSet,
  type TokenStoreShape,
} from "../src/index.ts";
import { makeRefresher } from "../src/internal.ts";
import { CREDENTIALS, layerWith, STORED_SET, TOKEN_OK } from "./ClientFixtures.ts";
import { fakeTransport, json, miroError } from "./FakeTransport.ts";

const OLD: TokenSet = STORED_SET;

const withClient = (transport: ReturnType<typeof fakeTransport>) =>
  Effect.provide(layerWith(transport, CREDENTIALS));

describe("TokenRefresher", () => {
  it.effect("refreshes, persists the next generation and hands out the new token", () => {
    const transport = fakeTransport(TOKEN_OK);
    return Effect.gen(function* () {
      const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      const refresher = makeRefresher(store, yield* TokenClient);
      const token = yield* refresher.accessToken("t");
      expect(Redacted.value(token)).toContain("new-access");
      const stored = Option.getOrThrow(yield* store.get("t"));
      expect(stored.generation).toBe(2);
      expect(transport.requests).toHaveLength(1);
    }).pipe(withClient(transport));
  });

  it.effect("returns a newer stored generation without a request", () => {
    const transport = fakeTransport(json(500, {}));
    return Effect.gen(function* () {
      const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      yield* store.compareAndSet("t", 1, { ...OLD, expiresAt: 9_999_999 });
      const refresher = makeRefresher(store, yield* TokenClient);
      const result = yield* refresher.refresh("t", 1);
      expect(result.generation).toBe(2);
      expect(transport.requests).toHaveLength(0);
    }).pipe(withClient(transport));
  });

  it.effect("a rejected grant is final: ReauthorizeRequired, and no second request", () => {
    const transport = fakeTransport(miroError(400, "invalidGrant"));
    return Effect.gen(function* () {
      const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      const refresher = makeRefresher(store, yield* TokenClient);
      const first = yield* Effect.flip(refresher.refresh("t", 1));
      expect(first).toMatchObject({ _tag: "ReauthorizeRequiredError", id: "t", status: 400 });
      expect(first.message).not.toContain("refresh-token-001");
      const second = yield* Effect.flip(refresher.accessToken("t"));
      expect(second._tag).toBe("ReauthorizeRequiredError");
      expect(transport.requests).toHaveLength(1);
    }).pipe(withClient(transport));
  });

  it.effect("a lost compare-and-set race returns the winner's pair, never overwrites it", () => {
    const transport = fakeTransport(TOKEN_OK);
    return Effect.gen(function* () {
      const memory = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      const theirs: TokenSet = { ...OLD, accessToken: Redacted.make("their-access-token") };
      // Another writer that ignores the lock wins while our refresh is on the wire.
      const store: TokenStoreShape = {
        ...memory,
        compareAndSet: (id, generation, next) =>
          Effect.andThen(
            memory.compareAndSet(id, 1, theirs),
            memory.compareAndSet(id, generation, next),
          ),
      };
      const refresher = makeRefresher(store, yield* TokenClient);
      const result = yield* refresher.refresh("t", 1);
      expect(Redacted.value(result.tokenSet.accessToken)).toBe("their-access-token");
      expect(Option.getOrThrow(yield* memory.get("t")).generation).toBe(2);
    }).pipe(withClient(transport));
  });

  it.effect("a failed write is retried with the new pair and reported each time", () => {
    const transport = fakeTransport(TOKEN_OK);
    return Effect.gen(function* () {
      const memory = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      let failures = 3;
      const written: Array<string> = [];
      const store: TokenStoreShape = {
        ...memory,
        compareAndSet: (id, generation, next) =>
          Effect.suspend(() => {
            written.push(Redacted.value(next.refreshToken ?? Redacted.make("")));
            if (failures-- > 0) {
              return Effect.fail(
                new StoreError({ attempts: 0, operation: "compareAndSet", reason: "EIO" }),
              );
            }
            return memory.compareAndSet(id, generation, next);
          }),
      };
      const reported: Array<number> = [];
      const refresher = makeRefresher(store, yield* TokenClient);
      const fiber = yield* Effect.forkChild(
        refresher.refresh("t", 1, {
          onPersistFailed: (_error, attempt) => Effect.sync(() => reported.push(attempt)),
        }),
      );
      yield* TestClock.adjust("1 minute");
      const result = yield* Fiber.join(fiber);
      expect(result.generation).toBe(2);
      expect(reported).toEqual([1, 2, 3]);
      expect(new Set(written)).toEqual(new Set(["eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_new-refresh-001"]));
      expect(transport.requests).toHaveLength(1);
    }).pipe(withClient(transport));
  });
});
