/**
 * The outbox conformance suite: what every `TokenOutbox` (memory, file, PostgreSQL) must do,
 * asserted the same way for each — `record` stores a state and its event in one step and is a
 * no-op for the same state (no second event id after a restart), `claim` hands a due event to
 * one owner at a time until the claim lapses (also when two handles race), `settle` counts
 * only for the holder, and a body round-trips byte for byte. Each store's test file calls
 * `outboxConformance(name, open)` once.
 */
import { describe, expect, it } from "@effect/vitest";
import type { OutboxEvent, TokenOutbox } from "@miro-token/core";
import { Effect, type Scope } from "effect";

/** Two handles on one fresh, empty outbox (two store instances when the store allows it). */
export type OpenOutbox = Effect.Effect<
  { readonly a: TokenOutbox; readonly b: TokenOutbox },
  unknown,
  Scope.Scope
>;

/** Times are realistic epoch ms: a store may prune settled entries by age. */
const T0 = Date.now();

const event = (
  id: string,
  tokenId: string,
  state: string,
  createdAt = T0 + 1_000,
): OutboxEvent => ({
  id,
  tokenId,
  state,
  body: JSON.stringify({ type: "token.state_changed", data: { tokenId, state, note: 'é ✓ "q"' } }),
  createdAt,
});

const lease = { leaseMs: 10_000, limit: 10 };

/** Run the suite for one outbox implementation. */
export const outboxConformance = (name: string, open: OpenOutbox): void => {
  describe(`outbox conformance: ${name}`, () => {
    it.live(
      "record stores the state and its event in one step; the same state again is a no-op",
      () =>
        Effect.gen(function* () {
          const { a, b } = yield* open;
          const seen: Array<string | undefined> = [];
          const first = yield* a.record("t1", "Invalid", (previous) => {
            seen.push(previous);
            return event("e1", "t1", "Invalid");
          });
          expect(first).toEqual({ previous: undefined, changed: true });
          // Another handle (a restarted process) sees it: no second event for the same state.
          const again = yield* b.record("t1", "Invalid", () => event("e2", "t1", "Invalid"));
          expect(again).toEqual({ previous: "Invalid", changed: false });
          const next = yield* b.record("t1", "Active", (previous) => {
            seen.push(previous);
            return undefined; // a state change without an event
          });
          expect(next).toEqual({ previous: "Invalid", changed: true });
          expect(seen).toEqual([undefined, "Invalid"]);
          const entries = yield* a.entries();
          expect(entries.map((e) => e.event.id)).toEqual(["e1"]);
          expect(entries[0]).toMatchObject({
            event: event("e1", "t1", "Invalid"),
            delivery: "pending",
            attempts: 0,
            nextAttemptAt: T0 + 1_000,
          });
        }).pipe(Effect.scoped),
    );

    it.live(
      "claim takes due events in order, up to the limit, one owner until the claim lapses",
      () =>
        Effect.gen(function* () {
          const { a, b } = yield* open;
          yield* a.record("t1", "Invalid", () => event("e1", "t1", "Invalid", T0 + 1_000));
          yield* a.record("t2", "Revoked", () => event("e2", "t2", "Revoked", T0 + 2_000));
          yield* a.record("t3", "Invalid", () => event("e3", "t3", "Invalid", T0 + 9_000));
          const first = yield* a.claim({ owner: "A", now: T0 + 5_000, leaseMs: 10_000, limit: 1 });
          expect(first.map((e) => e.event.id)).toEqual(["e1"]);
          expect(first[0]).toMatchObject({ claimedBy: "A", claimedUntil: T0 + 15_000 });
          const second = yield* b.claim({
            owner: "B",
            now: T0 + 5_000,
            leaseMs: 20_000,
            limit: 10,
          });
          expect(second.map((e) => e.event.id)).toEqual(["e2"]); // e1 is A's, e3 is not due
          expect(
            yield* b.claim({ owner: "B", now: T0 + 14_999, leaseMs: 20_000, limit: 10 }),
          ).toHaveLength(1); // e3
          // A's claim lapsed (A crashed): B takes e1 over.
          const takeover = yield* b.claim({ owner: "B", now: T0 + 15_000, ...lease });
          expect(takeover.map((e) => e.event.id)).toEqual(["e1"]);
        }).pipe(Effect.scoped),
    );

    it.live("two handles claiming at once take disjoint events", () =>
      Effect.gen(function* () {
        const { a, b } = yield* open;
        for (let i = 0; i < 12; i++) {
          yield* a.record(`t${i}`, "Invalid", () => event(`e${i}`, `t${i}`, "Invalid"));
        }
        const [x, y] = yield* Effect.all(
          [
            a.claim({ owner: "A", now: T0 + 5_000, leaseMs: 10_000, limit: 8 }),
            b.claim({ owner: "B", now: T0 + 5_000, leaseMs: 10_000, limit: 8 }),
          ],
          { concurrency: 2 },
        );
        const ids = [...x, ...y].map((e) => e.event.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(12);
      }).pipe(Effect.scoped),
    );

    it.live("settle counts only for the holder: retry waits, delivered and failed are final", () =>
      Effect.gen(function* () {
        const { a, b } = yield* open;
        yield* a.record("t1", "Invalid", () => event("e1", "t1", "Invalid"));
        yield* a.record("t2", "Invalid", () => event("e2", "t2", "Invalid"));
        yield* a.claim({ owner: "A", now: T0 + 5_000, ...lease });
        yield* b.settle("e1", "B", { _tag: "Delivered", at: T0 + 5_001 }); // not B's: ignored
        expect((yield* a.entries())[0]).toMatchObject({ delivery: "pending", attempts: 0 });

        yield* a.settle("e1", "A", {
          _tag: "Retry",
          at: T0 + 5_001,
          nextAttemptAt: T0 + 8_000,
          error: "HTTP 503",
        });
        yield* a.settle("e2", "A", {
          _tag: "Failed",
          at: T0 + 5_001,
          error: "receiver gone (HTTP 410)",
        });
        const [e1, e2] = yield* b.entries();
        expect(e1).toMatchObject({
          delivery: "pending",
          attempts: 1,
          nextAttemptAt: T0 + 8_000,
          lastError: "HTTP 503",
        });
        expect(e1!.claimedBy).toBeUndefined();
        expect(e2).toMatchObject({
          delivery: "failed",
          attempts: 1,
          lastError: "receiver gone (HTTP 410)",
          settledAt: T0 + 5_001,
        });
        expect(yield* b.claim({ owner: "B", now: T0 + 7_999, ...lease })).toEqual([]);
        const retried = yield* b.claim({ owner: "B", now: T0 + 8_000, ...lease });
        expect(retried.map((e) => e.event.id)).toEqual(["e1"]);
        yield* b.settle("e1", "B", { _tag: "Delivered", at: T0 + 8_100 });
        const [done] = yield* a.entries();
        expect(done).toMatchObject({ delivery: "delivered", attempts: 2, settledAt: T0 + 8_100 });
        expect(done!.lastError).toBeUndefined();
        expect(yield* a.claim({ owner: "A", now: T0 + 1e12, ...lease })).toEqual([]);
      }).pipe(Effect.scoped),
    );
  });
};
