/**
 * `watchMany` over a store that changes while it runs (tokens added, removed, re-authorized),
 * the optional heartbeat, and interruption: once the stream is interrupted no request is made.
 * A store that changes hands, as a fleet replica's does: `WatchHandover.test.ts`.
 */
import { describe, expect, it } from "@effect/vitest";
import {
  makeMemoryStore,
  StoreError,
  scanStore,
  TokenStore,
  type TokenStoreShape,
  TokenWatcher,
} from "@miro-token/core";
import { Clock, Effect, Fiber, Layer, Redacted } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, scenario, tokenSetOf } from "./support/Harness.ts";

describe("TokenWatcher.watchMany", () => {
  it.effect("picks up added tokens, stops removed ones, resumes re-authorized ones", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const now = yield* Clock.currentTimeMillis;
      const issue = () => tokenSetOf(s.emu.issueTokens({ expiring: false }), now);
      const store = yield* makeMemoryStore([{ id: "a", tokenSet: issue() }]);
      const events = yield* record(
        TokenWatcher.watchMany({ interval: "1 minute", rescanInterval: "30 seconds" }),
      ).pipe(Effect.provide(Layer.succeed(TokenStore, store)), Effect.provideContext(s.client));
      yield* advance(s, "2 minutes", "5 seconds");
      yield* store.compareAndSet("b", 0, issue());
      yield* advance(s, "2 minutes", "5 seconds");
      yield* store.delete("a");
      yield* advance(s, "2 minutes", "5 seconds");
      const of = (id: string) =>
        tags(
          events.items
            .filter((e) => e.value.id === id)
            .map((e) => ({ ...e, value: e.value.status })),
        );
      expect(of("a")).toEqual(["Active", "Stopped"]);
      expect(of("b")).toEqual(["Active"]);
      // Back in the store under a newer generation: watched again.
      yield* store.compareAndSet("a", 0, issue());
      yield* store.compareAndSet("a", 1, issue());
      yield* advance(s, "2 minutes", "5 seconds");
      expect(of("a")).toEqual(["Active", "Stopped", "Active"]);
      const lastA = events.items.filter((e) => e.value.id === "a").at(-1)?.value;
      expect(lastA?.generation).toBe(2);
    }).pipe(Effect.scoped),
  );

  it.effect("follows a store's changes instead of reading an entry before each probe", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const now = yield* Clock.currentTimeMillis;
      const issue = () => tokenSetOf(s.emu.issueTokens({ expiring: false }), now);
      const memory = yield* makeMemoryStore(
        Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, tokenSet: issue() })),
      );
      let gets = 0;
      let scans = 0;
      const store: TokenStoreShape = {
        ...memory,
        get: (id) =>
          Effect.suspend(() => {
            gets += 1;
            return memory.get(id);
          }),
        scan: () =>
          Effect.suspend(() => {
            scans += 1;
            return scanStore(memory);
          }),
      };
      const events = yield* record(
        TokenWatcher.watchMany({ interval: "1 minute", rescanInterval: "30 seconds" }),
      ).pipe(Effect.provide(Layer.succeed(TokenStore, store)), Effect.provideContext(s.client));
      yield* advance(s, "10 minutes", "5 seconds");
      const probes = s.traffic.log.filter((r) => r.route === "token-info").length;
      expect(probes).toBeGreaterThanOrEqual(5 * 9);
      // One scan at start; no read per probe, no rescan while the change stream runs.
      expect({ gets, scans }).toEqual({ gets: 0, scans: 1 });
      // Another writer rotates t0: the change is noticed (one read) and its next probe uses it.
      yield* memory.compareAndSet("t0", 1, issue());
      yield* memory.compareAndSet("new", 0, issue());
      yield* advance(s, "2 minutes", "5 seconds");
      const last = (id: string) => events.items.filter((e) => e.value.id === id).at(-1)?.value;
      const t0 = events.items.filter((e) => e.value.id === "t0").map((e) => e.value);
      expect(t0.map((e) => [e.generation, e.status._tag]).slice(-2)).toEqual([
        [2, "Refreshed"],
        [2, "Active"],
      ]);
      expect(last("new")).toMatchObject({ generation: 1, status: { _tag: "Active" } });
      expect(gets).toBe(2);
    }).pipe(Effect.scoped),
  );

  it.effect("reads a change reported while a probe was in flight before probing again", () =>
    Effect.gen(function* () {
      // The token is removed while its first probe is on the wire (as a fleet replica loses a
      // token it hands over): the probe's answer must not wipe out that news.
      const held: { store?: TokenStoreShape } = {};
      let removed = false;
      const s = yield* scenario({}, (_request, route) => {
        if (route === "token-info" && !removed && held.store !== undefined) {
          removed = true;
          Effect.runSync(held.store.delete("a"));
        }
        return "pass";
      });
      const now = yield* Clock.currentTimeMillis;
      const store = yield* makeMemoryStore([
        { id: "a", tokenSet: tokenSetOf(s.emu.issueTokens({ expiring: false }), now) },
      ]);
      held.store = store;
      const events = yield* record(
        TokenWatcher.watchMany({ interval: "1 minute", rescanInterval: "1 hour" }),
      ).pipe(Effect.provide(Layer.succeed(TokenStore, store)), Effect.provideContext(s.client));
      yield* advance(s, "5 minutes", "5 seconds");
      expect(removed).toBe(true);
      expect(s.traffic.log.filter((e) => e.route === "token-info")).toHaveLength(1);
      expect(tags(events.items.map((e) => ({ ...e, value: e.value.status })))).toEqual([
        "Active",
        "Stopped",
      ]);
    }).pipe(Effect.scoped),
  );

  it.effect("sends no probe for an entry that changed while the probe waited for a permit", () =>
    Effect.gen(function* () {
      // One request at a time, both tokens due at once in the second round: one probe goes
      // out, the other waits for its permit, and its token is removed meanwhile.
      const held: { store?: TokenStoreShape; ids: Map<string, string> } = { ids: new Map() };
      const probed: Array<string> = [];
      const s = yield* scenario({}, (request, route) => {
        if (route !== "token-info" || held.store === undefined) return "pass";
        const id = held.ids.get((request.headers.authorization ?? "").replace(/^Bearer /, ""));
        if (probed.length === 2) Effect.runSync(held.store.delete(id === "a" ? "b" : "a"));
        probed.push(id ?? "?");
        return "pass";
      });
      const now = yield* Clock.currentTimeMillis;
      const issue = (id: string) => {
        const tokenSet = tokenSetOf(s.emu.issueTokens({ expiring: false }), now);
        held.ids.set(Redacted.value(tokenSet.accessToken), id);
        return { id, tokenSet };
      };
      const store = yield* makeMemoryStore([issue("a"), issue("b")]);
      held.store = store;
      const events = yield* record(
        TokenWatcher.watchMany({
          interval: "1 minute",
          jitter: 0,
          rescanInterval: "1 hour",
          concurrency: 1,
        }),
      ).pipe(Effect.provide(Layer.succeed(TokenStore, store)), Effect.provideContext(s.client));
      yield* advance(s, "3 minutes", "5 seconds");
      const [first, second, third] = probed;
      expect([first, second].sort()).toEqual(["a", "b"]);
      const gone = third === "a" ? "b" : "a";
      // Every probe after the removal is the survivor's: the removed token's waiting probe was
      // never sent.
      expect(probed.slice(2).every((id) => id === third)).toBe(true);
      const of = (id: string) =>
        tags(
          events.items
            .filter((e) => e.value.id === id)
            .map((e) => ({ ...e, value: e.value.status })),
        );
      expect(of(gone)).toEqual(["Active", "Stopped"]);
    }).pipe(Effect.scoped),
  );

  it.effect("probes many tokens together: every probe on the shared 100 ms grid", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const now = yield* Clock.currentTimeMillis;
      const issue = () => tokenSetOf(s.emu.issueTokens({ expiring: false }), now);
      const store = yield* makeMemoryStore(
        Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, tokenSet: issue() })),
      );
      yield* record(TokenWatcher.watchMany({ interval: "10 seconds" })).pipe(
        Effect.provide(Layer.succeed(TokenStore, store)),
        Effect.provideContext(s.client),
      );
      yield* advance(s, "1 minute", "1 second");
      const probes = s.traffic.log.filter((r) => r.route === "token-info").map((r) => r.at - now);
      // Each token probed every 9-10 s; each probe at a grid point in its jitter window, so
      // tokens due close together share one wake-up of the process (and of the server).
      expect(probes.length).toBeGreaterThanOrEqual(20 * 5);
      expect(probes.filter((at) => at % 100 !== 0)).toEqual([]);
      expect(new Set(probes).size).toBeLessThan(probes.length);
    }).pipe(Effect.scoped),
  );

  it.effect("re-emits an unchanged status on the heartbeat", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const issued = s.emu.issueTokens({ expiring: false });
      const statuses = yield* record(
        TokenWatcher.watch(Redacted.make(issued.accessToken), {
          interval: "1 minute",
          heartbeat: "5 minutes",
        }),
      ).pipe(Effect.provideContext(s.client));
      yield* advance(s, "31 minutes", "10 seconds");
      expect(tags(statuses.items)).toEqual(Array(7).fill("Active"));
      const times = statuses.items.map((item) => item.at);
      for (let i = 1; i < times.length; i++) {
        expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBe(5 * 60_000);
      }
      // Each heartbeat says when the token was last checked, not when it was first seen.
      const checked = statuses.items.map((item) =>
        item.value._tag === "Active" ? item.value.checkedAt : 0,
      );
      for (let i = 1; i < checked.length; i++) {
        expect(checked[i]).toBeGreaterThan(checked[i - 1] ?? 0);
        expect((times[i] ?? 0) - (checked[i] ?? 0)).toBeLessThanOrEqual(60_000);
      }
    }).pipe(Effect.scoped),
  );

  it.effect("makes no request once the stream is interrupted", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const now = yield* Clock.currentTimeMillis;
      const tokens = Array.from({ length: 20 }, (_, i) => ({
        id: `t${i}`,
        tokenSet: tokenSetOf(s.emu.issueTokens({ expiring: true }), now),
      }));
      const store = Layer.effect(TokenStore, makeMemoryStore(tokens));
      const events = yield* record(TokenWatcher.watchMany({ interval: "1 minute" })).pipe(
        Effect.provide(store),
        Effect.provideContext(s.client),
      );
      yield* advance(s, "5 minutes", "5 seconds");
      const before = s.traffic.log.length;
      expect(before).toBeGreaterThanOrEqual(20 * 4);
      yield* Fiber.interrupt(events.fiber);
      yield* advance(s, "3 hours", "1 minute");
      expect(s.traffic.log).toHaveLength(before);
      expect(events.ended()).toBe(true);
    }).pipe(Effect.scoped),
  );

  it.effect(
    "quarantines an entry the store cannot read: no flapping, watched again once readable",
    () =>
      Effect.gen(function* () {
        const s = yield* scenario();
        const now = yield* Clock.currentTimeMillis;
        const issue = () => tokenSetOf(s.emu.issueTokens({ expiring: false }), now);
        const memory = yield* makeMemoryStore([
          { id: "a", tokenSet: issue() },
          { id: "b", tokenSet: issue() },
        ]);
        // "b" turns unreadable (a corrupt file): get fails, scan reports it.
        let broken = false;
        const corrupt = new StoreError({ operation: "get", reason: "corrupt", attempts: 0 });
        const store: TokenStoreShape = {
          ...memory,
          get: (id) => (broken && id === "b" ? Effect.fail(corrupt) : memory.get(id)),
          scan: () =>
            Effect.map(memory.list(), (entries) =>
              broken
                ? {
                    entries: entries.filter((e) => e.id !== "b"),
                    unreadable: [{ id: "b", location: "b.json", reason: "corrupt" }],
                  }
                : { entries, unreadable: [] },
            ),
        };
        const events = yield* record(
          TokenWatcher.watchMany({ interval: "1 minute", rescanInterval: "30 seconds" }),
        ).pipe(Effect.provide(Layer.succeed(TokenStore, store)), Effect.provideContext(s.client));
        const of = (id: string) =>
          tags(
            events.items
              .filter((e) => e.value.id === id)
              .map((e) => ({ ...e, value: e.value.status })),
          );
        yield* advance(s, "2 minutes", "5 seconds");
        expect(of("b")).toEqual(["Active"]);
        broken = true;
        yield* advance(s, "10 minutes", "5 seconds");
        // At most one failed read (and the probe after it) before the next rescan stops its
        // loop; not a flap every interval for as long as the entry stays unreadable.
        expect(of("b").length).toBeLessThanOrEqual(3);
        const quiet = events.items.length;
        yield* advance(s, "5 minutes", "5 seconds");
        expect(events.items.slice(quiet).filter((e) => e.value.id === "b")).toEqual([]);
        expect(of("a").at(-1)).toBe("Active");
        broken = false;
        yield* advance(s, "2 minutes", "5 seconds");
        expect(of("b").at(-1)).toBe("Active");
      }).pipe(Effect.scoped),
  );
});
