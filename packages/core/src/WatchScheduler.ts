/**
 * One scheduler for every token of `watchMany`: a due-time heap ({@link DueHeap}) of compact
 * per-token records ({@link WatchRecord}), one driver fiber that sleeps until the earliest due
 * time on the Effect `Clock` and hands due records to a bounded pool of worker fibers, and the
 * workers, each running one token's due actions ({@link step}) and putting the record back in
 * the heap at the time the plan says. A watch of 100,000 tokens so holds 100,000 small records
 * and a few dozen fibers, instead of a fiber, a timer and a stream per token.
 *
 * A record is in the heap, in the ready queue, or with one worker, never two of these at once,
 * so a token never has two requests in flight. A record `drop`ped (quarantined) while a worker
 * runs it stays known until that step ends, so it cannot be added twice meanwhile.
 *
 * @since 0.3.0
 */
import { Deferred, Effect, Exit, Queue, Random, type Scope } from "effect";
import { makeDueHeap } from "./DueHeap.ts";
import type { StoredToken } from "./TokenStore.ts";
import { step, type WatchContext } from "./TokenWatchLoop.ts";
import { adoptInto, makeRecord, type WatchRecord, watchNow } from "./WatchRecord.ts";
import { onGrid } from "./WatchSchedule.ts";

/**
 * The scheduler of one watch.
 *
 * @category models
 * @since 0.3.0
 */
export interface WatchScheduler {
  /** The records of the tokens being watched, by id. */
  readonly records: ReadonlyMap<string, WatchRecord>;
  /**
   * Start watching `entry` (read from the store just now); `spread` spreads its first probe
   * over one interval (many tokens starting together).
   */
  readonly add: (entry: StoredToken, spread: boolean) => Effect.Effect<void>;
  /** The store changed under `id`: read it again before its next probe. */
  readonly markStale: (id: string) => void;
  /** Stop watching `id` (quarantined) without a status. */
  readonly drop: (id: string) => void;
}

/** A record as the scheduler keeps it. */
interface Scheduled extends WatchRecord {
  running: boolean;
  dropped: boolean;
}

/**
 * Start a scheduler in the current scope with `workers` worker fibers. `onDone` is told of a
 * token that reached a terminal status (its record is then forgotten).
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeWatchScheduler = (
  ctx: WatchContext,
  workers: number,
  onDone: (record: WatchRecord) => void,
): Effect.Effect<WatchScheduler, never, Scope.Scope> =>
  Effect.gen(function* () {
    const records = new Map<string, Scheduled>();
    const heap = makeDueHeap<Scheduled>();
    const ready = yield* Queue.unbounded<Scheduled>();
    /** When the driver wakes next, and how to wake it earlier. */
    let wakeAt = Number.POSITIVE_INFINITY;
    let wake = Deferred.makeUnsafe<void>();

    const schedule = (rec: Scheduled, due: number) => {
      heap.push(rec, due);
      if (due < wakeAt) {
        wakeAt = Number.NEGATIVE_INFINITY;
        Deferred.doneUnsafe(wake, Exit.void);
      }
    };

    const finish = (rec: Scheduled, exit: Exit.Exit<number | undefined>) => {
      rec.running = false;
      if (rec.dropped || Exit.isFailure(exit)) {
        // A defect ends this token's watch without a status; the next scan starts it again.
        records.delete(rec.id);
      } else if (exit.value === undefined) {
        records.delete(rec.id);
        onDone(rec);
      } else {
        schedule(rec, exit.value);
      }
    };

    const run = (rec: Scheduled) => {
      if (rec.dropped) return Effect.void;
      rec.running = true;
      return Effect.flatMap(Effect.exit(step(ctx, rec)), (exit) =>
        Effect.sync(() => finish(rec, exit)),
      );
    };

    const driver = Effect.gen(function* () {
      for (;;) {
        const now = (yield* watchNow).mono;
        let top = heap.peek();
        while (top !== undefined && top.due <= now) {
          heap.pop();
          Queue.offerUnsafe(ready, top);
          top = heap.peek();
        }
        wake = Deferred.makeUnsafe<void>();
        wakeAt = top?.due ?? Number.POSITIVE_INFINITY;
        yield* top === undefined
          ? Deferred.await(wake)
          : Effect.raceFirst(
              Effect.sleep(Math.max(1, Math.ceil(wakeAt - now))),
              Deferred.await(wake),
            );
      }
    });

    yield* Effect.forkScoped(driver);
    for (let i = 0; i < workers; i++) {
      yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(ready), run)));
    }

    return {
      records,
      add: (entry, spread) =>
        Effect.gen(function* () {
          if (records.has(entry.id)) return;
          const at = yield* watchNow;
          // Spread over one interval, on the probe grid (tokens share wake-ups).
          const first = spread
            ? onGrid(at.mono + (yield* Random.next) * ctx.schedule.interval, at.mono)
            : at.mono;
          const rec = makeRecord(entry.id, at.mono, first) as Scheduled;
          rec.running = false;
          rec.dropped = false;
          adoptInto(rec, ctx.schedule, entry, at, yield* Random.next);
          records.set(entry.id, rec);
          // Planned at once: a refresh or an expiry may already be due.
          schedule(rec, at.mono);
        }),
      markStale: (id) => {
        const rec = records.get(id);
        if (rec !== undefined) rec.stale = true;
      },
      drop: (id) => {
        const rec = records.get(id);
        if (rec === undefined) return;
        rec.dropped = true;
        heap.remove(rec);
        if (!rec.running) records.delete(id);
      },
    };
  });
