/**
 * The store conformance suite: what every `TokenStore` (memory, file, PostgreSQL) must do,
 * asserted the same way for each — compare-and-set on generations (including N writers racing
 * from one generation), field round-trips, delete, listing and paging, `withLock` exclusion and
 * release, and refresh single-flight. Stores shared across processes also run the
 * single-flight with 4 real processes and the takeover of a SIGKILLed holder's lock (see
 * `StoreCrossProcess.ts`). Each store's test file calls `storeConformance(name, harness)` once.
 */
import { describe, expect, it } from "@effect/vitest";
import {
  type HttpTransport,
  pageOf,
  type StoredToken,
  storedTokens,
  type TokenSet,
  type TokenStoreShape,
  unresolvedIntent,
} from "@miro-token/core";
import {
  Deferred,
  Effect,
  Exit,
  Fiber,
  type Layer,
  Option,
  Redacted,
  type Scope,
  Stream,
} from "effect";
import { canaryToken } from "./Canary.ts";
import { crossProcessTests, inProcessSingleFlight } from "./StoreCrossProcess.ts";
import type { WorkerCommand } from "./WorkerProcess.ts";

/** One fresh store, and how to reach the same backing store from another process. */
export interface StoreUnderTest {
  readonly store: TokenStoreShape;
  /** For stores shared across processes: the worker fixture command for `tokenId`. */
  readonly worker?: ((tokenId: string) => WorkerCommand) | undefined;
  /** With `worker`: the longest a SIGKILLed holder may keep the lock (lease + slack). */
  readonly takeoverWithinMs?: number | undefined;
}

/** What a store package hands the suite. */
export interface StoreConformanceHarness {
  /** A fresh, empty store for one test, closed with the scope. */
  readonly open: Effect.Effect<StoreUnderTest, unknown, Scope.Scope>;
  /** The transport the suite's in-process refreshers use. */
  readonly transport: Layer.Layer<HttpTransport>;
  /** Also run the 4-process tests (the store must provide `worker`). */
  readonly crossProcess: boolean;
}

/** A token set of fresh canaries; `n` marks it in `scopes`. */
export const storeTokenSet = (n: number): TokenSet => ({
  accessToken: Redacted.make(canaryToken()),
  refreshToken: Redacted.make(canaryToken()),
  refreshTokenIssuedAt: 1_767_225_599_000 + n,
  expiresAt: 1_767_229_199_000 + n,
  scopes: [`mark:${n}`],
  teamId: "3074457358607431473",
  userId: "3458764517517852417",
});

const access = (stored: StoredToken): string => Redacted.value(stored.tokenSet.accessToken);

const generationOf = (store: TokenStoreShape, id: string) =>
  Effect.map(store.get(id), (found) => Option.getOrThrow(found).generation);

/** Run the suite for one store. */
export const storeConformance = (name: string, harness: StoreConformanceHarness): void => {
  const withStore = <A, E>(body: (under: StoreUnderTest) => Effect.Effect<A, E>) =>
    Effect.scoped(Effect.flatMap(Effect.orDie(harness.open), body));

  describe(`${name}: store conformance`, () => {
    it.live("compareAndSet writes generation 1, refuses a stale generation, grows by one", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          const first = yield* store.compareAndSet("alice", 0, storeTokenSet(1));
          expect(first._tag === "Written" && first.stored.generation).toBe(1);
          const stale = yield* store.compareAndSet("alice", 0, storeTokenSet(2));
          expect(stale._tag).toBe("Conflict");
          if (stale._tag === "Conflict") {
            expect(Option.getOrThrow(stale.current).generation).toBe(1);
          }
          const tooNew = yield* store.compareAndSet("alice", 5, storeTokenSet(3));
          expect(tooNew._tag).toBe("Conflict");
          const second = yield* store.compareAndSet("alice", 1, storeTokenSet(4));
          expect(second._tag === "Written" && second.stored.generation).toBe(2);
          const absent = yield* store.compareAndSet("nobody", 1, storeTokenSet(5));
          expect(absent._tag === "Conflict" && Option.isNone(absent.current)).toBe(true);
          expect(Option.getOrThrow(yield* store.get("alice")).tokenSet.scopes).toEqual(["mark:4"]);
        }),
      ),
    );

    for (const start of [0, 1]) {
      it.live(`16 writers racing from generation ${start}: exactly one is Written, none lost`, () =>
        withStore(({ store }) =>
          Effect.gen(function* () {
            if (start === 1) yield* store.compareAndSet("race", 0, storeTokenSet(0));
            const sets = Array.from({ length: 16 }, (_, i) => storeTokenSet(i + 1));
            const results = yield* Effect.forEach(
              sets,
              (set) => store.compareAndSet("race", start, set),
              { concurrency: "unbounded" },
            );
            const written = results.flatMap((r) => (r._tag === "Written" ? [r.stored] : []));
            expect(written).toHaveLength(1);
            const stored = Option.getOrThrow(yield* store.get("race"));
            expect(stored.generation).toBe(start + 1);
            expect(access(stored)).toBe(access(written[0]!));
            expect((yield* store.list()).filter((s) => s.id === "race")).toHaveLength(1);
          }),
        ),
      );
    }

    it.live("round-trips every field; absent optional fields stay absent", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          const full = storeTokenSet(7);
          const bare: TokenSet = { accessToken: Redacted.make(canaryToken()), scopes: [] };
          yield* store.compareAndSet("full", 0, full);
          yield* store.compareAndSet("bare", 0, bare);
          const readFull = Option.getOrThrow(yield* store.get("full")).tokenSet;
          expect(Redacted.value(readFull.accessToken)).toBe(Redacted.value(full.accessToken));
          expect(readFull.refreshToken && Redacted.value(readFull.refreshToken)).toBe(
            full.refreshToken && Redacted.value(full.refreshToken),
          );
          expect([
            readFull.refreshTokenIssuedAt,
            readFull.expiresAt,
            readFull.scopes,
            readFull.teamId,
            readFull.userId,
          ]).toEqual([
            full.refreshTokenIssuedAt,
            full.expiresAt,
            full.scopes,
            full.teamId,
            full.userId,
          ]);
          const readBare = Option.getOrThrow(yield* store.get("bare")).tokenSet;
          expect(Object.keys(readBare).sort()).toEqual(["accessToken", "scopes"]);
        }),
      ),
    );

    it.live("recordRefreshIntent marks the current generation only; compareAndSet drops it", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          const intent = { generation: 1, startedAt: 1_767_225_600_000 };
          expect(yield* store.recordRefreshIntent("alice", intent)).toBe(false);
          const tokens = storeTokenSet(1);
          yield* store.compareAndSet("alice", 0, tokens);
          expect(yield* store.recordRefreshIntent("alice", { ...intent, generation: 2 })).toBe(
            false,
          );
          expect(yield* store.recordRefreshIntent("alice", intent)).toBe(true);
          const marked = Option.getOrThrow(yield* store.get("alice"));
          expect([marked.generation, access(marked), unresolvedIntent(marked)]).toEqual([
            1,
            Redacted.value(tokens.accessToken),
            intent,
          ]);
          expect((yield* store.list()).map(unresolvedIntent)).toEqual([intent]);
          // A dead grant's verdict is kept with the intent, as every refresher must read it.
          const refused = { ...intent, refused: { reason: "refresh outcome lost", status: 401 } };
          expect(yield* store.recordRefreshIntent("alice", refused)).toBe(true);
          expect(unresolvedIntent(Option.getOrThrow(yield* store.get("alice")))).toEqual(refused);
          yield* store.compareAndSet("alice", 1, storeTokenSet(2));
          expect(Option.getOrThrow(yield* store.get("alice")).refreshIntent).toBeUndefined();
        }),
      ),
    );

    it.live("delete removes the entry, is a no-op when absent, and the id restarts at 0", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          yield* store.compareAndSet("gone", 0, storeTokenSet(1));
          yield* store.compareAndSet("kept", 0, storeTokenSet(2));
          yield* store.delete("gone");
          yield* store.delete("gone");
          yield* store.delete("never-there");
          expect(Option.isNone(yield* store.get("gone"))).toBe(true);
          expect((yield* store.list()).map((s) => s.id)).toEqual(["kept"]);
          const again = yield* store.compareAndSet("gone", 0, storeTokenSet(3));
          expect(again._tag === "Written" && again.stored.generation).toBe(1);
        }),
      ),
    );

    it.live("list, pages and the stream see every entry exactly once, in id order", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          const ids = Array.from({ length: 150 }, (_, i) => `user-${String(i).padStart(4, "0")}`);
          yield* Effect.forEach(ids, (id, i) => store.compareAndSet(id, 0, storeTokenSet(i)), {
            concurrency: 8,
          });
          expect((yield* store.list()).map((s) => s.id).sort()).toEqual(ids);
          const streamed = yield* Stream.runCollect(storedTokens(store, { pageSize: 32 }));
          expect(streamed.map((s) => s.id).sort()).toEqual(ids);
          const first = yield* pageOf(store, { limit: 32 });
          expect(first.map((s) => s.id)).toEqual(ids.slice(0, 32));
          const next = yield* pageOf(store, { after: first.at(-1)!.id, limit: 32 });
          expect(next.map((s) => s.id)).toEqual(ids.slice(32, 64));
          expect(yield* pageOf(store, { after: ids.at(-1)!, limit: 32 })).toEqual([]);
        }),
      ),
    );

    it.live("withLock admits one holder per id and does not block other ids", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          const release = yield* Deferred.make<void>();
          const entered: Array<string> = [];
          const holder = yield* Effect.forkChild(
            store.withLock(
              "a",
              Effect.sync(() => entered.push("first")).pipe(
                Effect.andThen(Deferred.await(release)),
              ),
            ),
          );
          while (!entered.includes("first")) yield* Effect.sleep("5 millis");
          const waiter = yield* Effect.forkChild(
            store.withLock(
              "a",
              Effect.sync(() => entered.push("second")),
            ),
          );
          yield* store.withLock(
            "b",
            Effect.sync(() => entered.push("other id")),
          );
          yield* Effect.sleep("300 millis");
          expect(entered).toEqual(["first", "other id"]);
          yield* Deferred.succeed(release, undefined);
          yield* Fiber.join(holder);
          yield* Fiber.join(waiter);
          expect(entered).toEqual(["first", "other id", "second"]);
        }),
      ),
    );

    it.live("withLock releases the lock when the effect fails or is interrupted", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          const failed = yield* Effect.exit(store.withLock("a", Effect.fail("boom" as const)));
          expect(Exit.isFailure(failed)).toBe(true);
          expect(yield* store.withLock("a", Effect.succeed("after failure"))).toBe("after failure");
          const started = yield* Deferred.make<void>();
          const stuck = yield* Effect.forkChild(
            store.withLock(
              "a",
              Deferred.succeed(started, undefined).pipe(Effect.andThen(Effect.never)),
            ),
          );
          yield* Deferred.await(started);
          yield* Fiber.interrupt(stuck);
          const after = yield* store
            .withLock("a", Effect.succeed("after interrupt"))
            .pipe(Effect.timeout("5 seconds"));
          expect(after).toBe("after interrupt");
        }),
      ),
    );

    it.live("a writer that lost the lock's race is fenced by the generation", () =>
      withStore(({ store }) =>
        Effect.gen(function* () {
          yield* store.compareAndSet("fenced", 0, storeTokenSet(1));
          // A late writer read generation 1, then someone else wrote generation 2.
          const seen = yield* generationOf(store, "fenced");
          yield* store.withLock("fenced", store.compareAndSet("fenced", seen, storeTokenSet(2)));
          const late = yield* store.compareAndSet("fenced", seen, storeTokenSet(3));
          expect(late._tag).toBe("Conflict");
          const stored = Option.getOrThrow(yield* store.get("fenced"));
          expect([stored.generation, stored.tokenSet.scopes]).toEqual([2, ["mark:2"]]);
        }),
      ),
    );

    it.live(
      "4 in-process refreshers per round: exactly one refresh request per round",
      () => withStore((under) => inProcessSingleFlight(under.store, harness.transport)),
      { timeout: 60_000 },
    );

    if (harness.crossProcess) crossProcessTests(harness);
  });
};
