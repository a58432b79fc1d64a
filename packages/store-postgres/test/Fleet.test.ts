// The fleet's membership and ownership on the real PostgreSQL: several members in this process
// (each with its own pool, as replicas have) and members in child processes. Lease expiry is
// judged by the database's clock, which TestClock cannot move, so these run live with short
// leases (2 s) and poll for the state they wait for.
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "@effect/vitest";
import { type StoreChange, TokenSet } from "@miro-token/core";
import { killAllWorkers, startWorker } from "@miro-token/testkit";
import { Effect, Exit, Fiber, Redacted, Scope, Stream } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { PostgresFleet, type PostgresStoreOptions, PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase, withSql } from "./Databases.ts";
import { tcpCut } from "./TcpCut.ts";

const WORKER = fileURLToPath(new URL("./fixtures/FleetWorker.ts", import.meta.url));
const FAST = { leaseTtl: 2_000, tickEvery: 250 } as const;

afterEach(() => killAllWorkers());

const dbName = (options: PostgresStoreOptions) =>
  new URL(Redacted.value(options.url)).pathname.slice(1);

const seed = (options: PostgresStoreOptions, count: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const store = yield* PostgresTokenStore.make(options);
      const tokenSet = TokenSet.make({ accessToken: Redacted.make("at"), scopes: [] });
      yield* Effect.forEach(
        Array.from({ length: count }, (_, i) => `t${String(i).padStart(5, "0")}`),
        (id) => store.compareAndSet(id, 0, tokenSet),
        { concurrency: 4 },
      );
    }),
  );

/** owner → how many tokens it owns, from the table (unowned under ""). */
const ownersOf = (options: PostgresStoreOptions) =>
  withSql(
    dbName(options),
    Effect.flatMap(
      SqlClient,
      (sql) => sql<{ readonly owner: string | null; readonly n: number }>`
        SELECT owner, count(*)::int AS n FROM miro_token_fleet_owners
        WHERE expires_at > clock_timestamp() OR owner IS NULL GROUP BY owner`,
    ),
  ).pipe(
    Effect.orDie,
    Effect.map((rows) => new Map(rows.map((row) => [row.owner ?? "", Number(row.n)]))),
  );

/** Retry `check` every 100 ms until it passes, for at most `ms`. */
const eventually = <A>(check: Effect.Effect<A>, ms = 10_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + ms;
    for (;;) {
      const exit = yield* Effect.exit(check);
      if (Exit.isSuccess(exit)) return exit.value;
      if (Date.now() > deadline) return yield* Effect.orDie(check);
      yield* Effect.sleep("100 millis");
    }
  });

/** Every token owned, each share within 25% of an even split (`counts` read on each try). */
const evenSplit = (read: () => ReadonlyArray<number>, total: number) =>
  Effect.sync(() => {
    const counts = read();
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    const even = total / counts.length;
    for (const n of counts) expect(Math.abs(n - even) / even).toBeLessThanOrEqual(0.25);
  });

describe("the fleet", () => {
  it.live("members joining at once own disjoint shares that cover every token, evenly", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 300);
      const members = yield* Effect.all(
        [1, 2, 3].map(() => PostgresFleet.make(options, FAST)),
        { concurrency: "unbounded" },
      );
      yield* eventually(evenSplit(() => members.map((m) => m.membership.owned().size), 300));
      const seen = new Map<string, string>();
      for (const member of members) {
        for (const id of member.membership.owned()) {
          expect(seen.get(id)).toBeUndefined();
          seen.set(id, member.replicaId);
        }
      }
      expect(seen.size).toBe(300);
      const table = yield* ownersOf(options);
      for (const member of members) {
        expect(table.get(member.replicaId)).toBe(member.membership.owned().size);
      }
    }).pipe(Effect.scoped),
  );

  it.live("a joining member gets its share: the others give their excess back", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 240);
      const first = yield* PostgresFleet.make(options, FAST);
      expect(first.membership.owned().size).toBe(240);
      const later = yield* Effect.all([
        PostgresFleet.make(options, FAST),
        PostgresFleet.make(options, FAST),
      ]);
      const all = [first, ...later];
      yield* eventually(evenSplit(() => all.map((m) => m.membership.owned().size), 240));
    }).pipe(Effect.scoped),
  );

  it.live("a token given back on a rebalance is claimable only after the handover grace", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 20);
      const graced = { ...FAST, handoverGrace: 1_500 };
      const first = yield* PostgresFleet.make(options, graced);
      const joinedAt = Date.now();
      const second = yield* PostgresFleet.make(options, graced);
      // The first gives 10 back at once (it stops answering for them); nobody owns them during
      // the grace, so a request it sent before can end before the new owner's first.
      yield* eventually(Effect.sync(() => expect(first.membership.owned().size).toBe(10)));
      expect(second.membership.owned().size).toBe(0);
      expect((yield* ownersOf(options)).get(first.replicaId)).toBe(10);
      yield* eventually(Effect.sync(() => expect(second.membership.owned().size).toBe(10)));
      expect(Date.now() - joinedAt).toBeGreaterThanOrEqual(1_500);
      for (const id of second.membership.owned()) {
        expect(first.membership.handedOver(id)).toBe(true);
      }
    }).pipe(Effect.scoped),
  );

  it.live("a member that stops gives its tokens back at once; the others take them", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 100);
      const slow = { leaseTtl: 30_000, tickEvery: 10_000, handoverGrace: 200 } as const;
      const stay = yield* PostgresFleet.make(options, slow);
      const scope = yield* Scope.make();
      const leaving = yield* Scope.provide(scope)(PostgresFleet.make(options, slow));
      yield* eventually(
        evenSplit(() => [stay.membership.owned().size, leaving.membership.owned().size], 100),
      );
      yield* Scope.close(scope, Exit.void);
      // Released, not left to expire (the leases would last 30 s).
      const after = yield* ownersOf(options);
      expect(after.get(leaving.replicaId)).toBeUndefined();
      // The NOTIFY makes the other member claim them well before its 10 s tick.
      yield* eventually(
        Effect.sync(() => expect(stay.membership.owned().size).toBe(100)),
        5_000,
      );
    }).pipe(Effect.scoped),
  );

  it.live("the owned store shows only owned tokens; gaining and losing are changes", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 20);
      const first = yield* PostgresFleet.make(options, FAST);
      const changes: Array<StoreChange> = [];
      const fiber = yield* Effect.forkChild(
        Stream.runForEach(first.store.changes?.() ?? Stream.empty, (change) =>
          Effect.sync(() => changes.push(change)),
        ),
      );
      expect((yield* first.store.list()).length).toBe(20);
      const second = yield* PostgresFleet.make(options, FAST);
      yield* eventually(Effect.sync(() => expect(second.membership.owned().size).toBe(10)));
      yield* eventually(Effect.sync(() => expect(first.membership.owned().size).toBe(10)));
      const mine = yield* first.store.scan?.() ?? Effect.die("no scan");
      expect(mine.entries.map((e) => e.id).sort()).toEqual([...first.membership.owned()].sort());
      const theirs = [...second.membership.owned()][0] ?? "";
      expect((yield* first.store.get(theirs))._tag).toBe("None");
      expect((yield* second.store.get(theirs))._tag).toBe("Some");
      expect(changes.filter((c) => c._tag === "Deleted").length).toBe(10);
      // Each token lost went to the other member: a handover, not a removal.
      expect([...second.membership.owned()].every(first.membership.handedOver)).toBe(true);
      expect([...first.membership.owned()].some(first.membership.handedOver)).toBe(false);
      yield* Fiber.interrupt(fiber);
    }).pipe(Effect.scoped),
  );

  it.live("a token removed while owned is lost by removal, not handed over", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 4);
      const member = yield* PostgresFleet.make(options, FAST);
      const removed = [...member.membership.owned()][0] ?? "";
      yield* member.wholeStore.delete(removed);
      // The next ticks drop its ownership (the row went with the token): that is no handover.
      yield* eventually(Effect.sync(() => expect(member.membership.owns(removed)).toBe(false)));
      yield* Effect.sleep("600 millis");
      expect(member.membership.handedOver(removed)).toBe(false);
      expect(member.membership.owned().size).toBe(3);
    }).pipe(Effect.scoped),
  );
});

describe("a replica cut off from the database", () => {
  it.live(
    "gives its tokens up before its leases lapse, and takes its share back once it is mended",
    () =>
      Effect.gen(function* () {
        const options = yield* migratedDatabase();
        yield* seed(options, 20);
        const relay = yield* tcpCut(options);
        const cutOff = yield* PostgresFleet.make(relay.options, FAST);
        const other = yield* PostgresFleet.make(options, FAST);
        const sizes = () => [cutOff.membership.owned().size, other.membership.owned().size];
        yield* eventually(evenSplit(sizes, 20));
        const changes: Array<{ readonly gained: number; readonly lost: number }> = [];
        const fiber = yield* Effect.forkChild(
          Stream.runForEach(cutOff.membership.changes, (change) =>
            Effect.sync(() =>
              changes.push({ gained: change.gained.length, lost: change.lost.length }),
            ),
          ),
        );
        const held = [...cutOff.membership.owned()];
        relay.cut();
        // Never two owners at once: the cut-off replica lets go before the other can claim.
        const deadline = Date.now() + 6_000;
        for (;;) {
          const mine = cutOff.membership.owned();
          for (const id of other.membership.owned()) expect(mine.has(id)).toBe(false);
          if (other.membership.owned().size === 20 || Date.now() > deadline) break;
          yield* Effect.sleep("20 millis");
        }
        expect(cutOff.membership.owned().size).toBe(0);
        expect(other.membership.owned().size).toBe(20);
        expect(held.every(cutOff.membership.handedOver)).toBe(true);
        expect(changes).toContainEqual({ gained: 0, lost: held.length });
        relay.mend();
        yield* eventually(evenSplit(sizes, 20));
        expect(changes.some((change) => change.gained > 0)).toBe(true);
        yield* Fiber.interrupt(fiber);
      }).pipe(Effect.scoped),
  );
});

describe("the fleet's status table", () => {
  it.live("rows written by one member reach another through NOTIFY, in order, last one wins", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 2);
      const [a, b] = yield* Effect.all([
        PostgresFleet.make(options, FAST),
        PostgresFleet.make(options, { ...FAST, statusPollEvery: "1 hour" }),
      ]);
      const pinged = yield* Effect.forkChild(Stream.runHead(b.statusChanges));
      const update = (id: string, state: string) => ({ id, state, generation: 1, view: { state } });
      a.writer.offer(update("t00000", "Pending"));
      a.writer.offer(update("t00001", "Active"));
      a.writer.offer(update("t00000", "Active"));
      yield* Fiber.join(pinged);
      const rows = yield* eventually(
        b.status.since(0).pipe(
          Effect.tap((rows) => Effect.sync(() => expect(rows.length).toBe(2))),
          Effect.orDie,
        ),
      );
      expect(rows.map((r) => [r.id, r.replica, r.view])).toEqual([
        ["t00001", a.replicaId, { state: "Active" }],
        ["t00000", a.replicaId, { state: "Active" }],
      ]);
      expect(yield* b.status.since(rows[1]?.seq ?? 0)).toEqual([]);
      expect(a.writer.pending()).toBe(0);
    }).pipe(Effect.scoped),
  );
});

describe("a finished token in the fleet", () => {
  it.live("is not watched again by its owner until a newer generation is stored", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      yield* seed(options, 3);
      const member = yield* PostgresFleet.make(options, FAST);
      const ids = () =>
        Effect.map(member.store.scan?.() ?? Effect.die("no scan"), ({ entries }) =>
          entries.map((e) => e.id),
        );
      expect(yield* ids()).toEqual(["t00000", "t00001", "t00002"]);
      // Reported ReauthorizeRequired at generation 1 (by this or an earlier owner).
      yield* member.status.write([
        { id: "t00001", state: "ReauthorizeRequired", generation: 1, view: {} },
      ]);
      expect(yield* ids()).toEqual(["t00000", "t00002"]);
      // Re-authorized: a new pair is stored, and it is watched again.
      const tokenSet = TokenSet.make({ accessToken: Redacted.make("at2"), scopes: [] });
      yield* member.wholeStore.compareAndSet("t00001", 1, tokenSet);
      expect(yield* ids()).toEqual(["t00000", "t00001", "t00002"]);
    }).pipe(Effect.scoped),
  );
});

describe("the fleet across processes", () => {
  it.live(
    "a SIGKILLed member's tokens are taken over once its leases expire; SIGTERM gives them back",
    () =>
      Effect.gen(function* () {
        const options = yield* migratedDatabase();
        yield* seed(options, 90);
        const env = { STORE_URL: Redacted.value(options.url) };
        const spawn = () =>
          Effect.promise(() => startWorker({ script: WORKER, args: ["2000"], env }));
        const [killed, stopped] = yield* Effect.all([spawn(), spawn()], { concurrency: 2 });
        const member = yield* PostgresFleet.make(options, FAST);
        yield* eventually(
          Effect.gen(function* () {
            const table = yield* ownersOf(options);
            yield* evenSplit(
              () => [...table].filter(([owner]) => owner !== "").map(([, n]) => n),
              90,
            );
          }),
          15_000,
        );
        killed.kill();
        const killedAt = Date.now();
        yield* eventually(
          Effect.sync(() => expect(member.membership.owned().size).toBe(45)),
          10_000,
        );
        // Not before the 2 s lease ran out, well within lease + one tick.
        const tookOver = Date.now() - killedAt;
        expect(tookOver).toBeGreaterThan(1_000);
        expect(tookOver).toBeLessThan(4_000);
        process.kill(stopped.pid, "SIGTERM");
        expect(yield* Effect.promise(() => stopped.exited)).toBe(0);
        const stoppedAt = Date.now();
        yield* eventually(
          Effect.sync(() => expect(member.membership.owned().size).toBe(90)),
          5_000,
        );
        expect(Date.now() - stoppedAt).toBeLessThan(1_500);
      }).pipe(Effect.scoped),
    60_000,
  );
});
