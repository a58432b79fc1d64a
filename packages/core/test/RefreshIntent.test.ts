/**
 * Refresh intents in the refresh protocol and the memory store: the intent is recorded before
 * the request is sent (a store that cannot record it sends nothing), a stored pair drops it, a
 * refresh that fails ambiguously leaves it, and the next refresh of an entry with an unresolved
 * intent tries the stored refresh token once: accepted, the pair is recovered; refused, the
 * token needs re-authorization with the reason "refresh outcome lost", never a plain refusal.
 */
import { describe, expect, it } from "@effect/vitest";
import { Effect, Option } from "effect";
import {
  makeMemoryStore,
  REFRESH_OUTCOME_LOST,
  StoreError,
  TokenClient,
  type TokenSet,
  type TokenStoreShape,
  unresolvedIntent,
} from "../src/index.ts";
import { makeRefresher } from "../src/internal.ts";
import { CREDENTIALS, layerWith, STORED_SET, TOKEN_OK } from "./ClientFixtures.ts";
import { fakeTransport, miroError } from "./FakeTransport.ts";

const OLD: TokenSet = STORED_SET;

const withClient = (transport: ReturnType<typeof fakeTransport>) =>
  Effect.provide(layerWith(transport, { ...CREDENTIALS, retry: { limit: 1 } }));

/** A memory store holding `OLD` with an intent left by a refresh that never came back. */
const storeWithLostRefresh = Effect.gen(function* () {
  const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
  expect(yield* store.recordRefreshIntent("t", { generation: 1, startedAt: 5 })).toBe(true);
  return store;
});

describe("the memory store's refresh intents", () => {
  it.effect("are recorded for the current generation only and dropped by the next write", () =>
    Effect.gen(function* () {
      const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      expect(yield* store.recordRefreshIntent("t", { generation: 2, startedAt: 5 })).toBe(false);
      expect(yield* store.recordRefreshIntent("gone", { generation: 1, startedAt: 5 })).toBe(false);
      expect(yield* store.recordRefreshIntent("t", { generation: 1, startedAt: 5 })).toBe(true);
      const marked = Option.getOrThrow(yield* store.get("t"));
      expect(marked.generation).toBe(1);
      expect(unresolvedIntent(marked)).toEqual({ generation: 1, startedAt: 5 });
      yield* store.compareAndSet("t", 1, OLD);
      const next = Option.getOrThrow(yield* store.get("t"));
      expect(next.refreshIntent).toBeUndefined();
      expect(unresolvedIntent({ ...next, refreshIntent: { generation: 1, startedAt: 5 } })).toBe(
        undefined,
      );
    }),
  );
});

describe("TokenRefresher and refresh intents", () => {
  it.effect(
    "records the intent before sending: a store that cannot record it sends nothing",
    () => {
      const transport = fakeTransport(TOKEN_OK);
      return Effect.gen(function* () {
        const memory = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
        const store: TokenStoreShape = {
          ...memory,
          recordRefreshIntent: () =>
            Effect.fail(
              new StoreError({ attempts: 0, operation: "recordRefreshIntent", reason: "EIO" }),
            ),
        };
        const error = yield* Effect.flip(makeRefresher(store, yield* TokenClient).refresh("t", 1));
        expect(error._tag).toBe("StoreError");
        expect(transport.requests).toHaveLength(0);
      }).pipe(withClient(transport));
    },
  );

  it.effect("a timed-out or failed refresh leaves the intent; a stored pair drops it", () => {
    const transport = fakeTransport(miroError(503, "serviceUnavailable"), TOKEN_OK);
    return Effect.gen(function* () {
      const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      const refresher = makeRefresher(store, yield* TokenClient);
      const failed = yield* Effect.flip(refresher.refresh("t", 1));
      expect(failed._tag).toBe("ServerError");
      expect(unresolvedIntent(Option.getOrThrow(yield* store.get("t")))).toMatchObject({
        generation: 1,
      });
      const stored = yield* refresher.refresh("t", 1);
      expect(stored.generation).toBe(2);
      expect(unresolvedIntent(stored)).toBeUndefined();
      expect(transport.requests).toHaveLength(2);
    }).pipe(withClient(transport));
  });

  it.effect("an unresolved intent refused by Miro is 'refresh outcome lost', once", () => {
    const transport = fakeTransport(miroError(400, "invalidGrant"));
    return Effect.gen(function* () {
      const store = yield* storeWithLostRefresh;
      const refresher = makeRefresher(store, yield* TokenClient);
      const error = yield* Effect.flip(refresher.refresh("t", 1));
      expect(error).toMatchObject({
        _tag: "ReauthorizeRequiredError",
        reason: REFRESH_OUTCOME_LOST,
        status: 400,
      });
      const again = yield* Effect.flip(refresher.refresh("t", 1));
      expect(again).toMatchObject({ reason: REFRESH_OUTCOME_LOST });
      expect(transport.requests).toHaveLength(1);
    }).pipe(withClient(transport));
  });

  it.effect("an unresolved intent Miro still accepts is recovered: the new pair is stored", () => {
    const transport = fakeTransport(TOKEN_OK);
    return Effect.gen(function* () {
      const store = yield* storeWithLostRefresh;
      const stored = yield* makeRefresher(store, yield* TokenClient).refresh("t", 1);
      expect(stored.generation).toBe(2);
      expect(Option.getOrThrow(yield* store.get("t")).refreshIntent).toBeUndefined();
    }).pipe(withClient(transport));
  });

  it.effect("without an intent, a refused grant keeps its own reason", () => {
    const transport = fakeTransport(miroError(400, "invalidGrant"));
    return Effect.gen(function* () {
      const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      const error = yield* Effect.flip(makeRefresher(store, yield* TokenClient).refresh("t", 1));
      expect(error).toMatchObject({ reason: "InvalidGrantError (invalidGrant)" });
    }).pipe(withClient(transport));
  });

  it.effect("a refused grant is recorded: a refresher in another process sends nothing", () => {
    const transport = fakeTransport(miroError(400, "invalidGrant"), TOKEN_OK);
    return Effect.gen(function* () {
      const store = yield* makeMemoryStore([{ id: "t", tokenSet: OLD }]);
      yield* Effect.flip(makeRefresher(store, yield* TokenClient).refresh("t", 1));
      const error = yield* Effect.flip(makeRefresher(store, yield* TokenClient).refresh("t", 1));
      expect(error).toMatchObject({ reason: "InvalidGrantError (invalidGrant)", status: 400 });
      expect(transport.requests).toHaveLength(1);
      // A new pair (the user re-authorized) is refreshed as usual.
      yield* store.compareAndSet("t", 1, OLD);
      const fresh = yield* makeRefresher(store, yield* TokenClient).refresh("t", 2);
      expect(fresh.generation).toBe(3);
      expect(transport.requests).toHaveLength(2);
    }).pipe(withClient(transport));
  });
});
