/**
 * How `watchMany` learns what the store holds: a full scan (`rescanInto`: start new tokens,
 * quarantine unreadable ones, forget removed ones), and, for a store that reports its changes
 * (`TokenStoreShape.changes`), `followChanges`: a `Written` entry the watch does not hold is
 * read and started (a quarantined one is scanned, which lifts its quarantine), a `Written` or `Deleted` entry it holds is marked stale (read again before
 * its next probe, which then sees the new generation or the removal), and a `Resync` (changes
 * may have been missed) scans. The store seam is store-agnostic: the file store answers from
 * a directory watch, PostgreSQL from LISTEN/NOTIFY, the memory store from its own writes. When
 * the change stream fails or ends, the watch scans after `rescanInterval` and subscribes again.
 *
 * @since 0.3.0
 */
import { Effect, Option, Result, Stream } from "effect";
import type { StoreError } from "./Errors.ts";
import { type StoreChange, scanStore, type TokenStoreShape } from "./TokenStore.ts";
import type { WatchContext } from "./TokenWatchLoop.ts";
import type { WatchScheduler } from "./WatchScheduler.ts";

/**
 * Scan the store into the scheduler. An entry that became unreadable is quarantined: its
 * watch stops (it would flap between a failed read and a probe of the token it still holds)
 * and starts again once the entry reads. A token that reached a terminal status (`finished`)
 * is watched again only once the store holds a newer generation.
 *
 * @category watching
 * @since 0.3.0
 */
export const rescanInto = (
  store: TokenStoreShape,
  scheduler: WatchScheduler,
  finished: Map<string, number>,
  quarantined: Set<string>,
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const scanned = yield* Effect.result(scanStore(store));
    if (Result.isFailure(scanned)) return;
    const { entries, unreadable } = scanned.success;
    const ids = new Set(entries.map((entry) => entry.id));
    for (const id of finished.keys()) if (!ids.has(id)) finished.delete(id);
    quarantined.clear();
    for (const { id } of unreadable) {
      quarantined.add(id);
      scheduler.drop(id);
    }
    for (const entry of entries) {
      if (scheduler.records.has(entry.id)) continue;
      if ((finished.get(entry.id) ?? 0) >= entry.generation) continue;
      yield* scheduler.add(entry, true);
    }
  });

/**
 * What the watch remembers beside its records: ids that ended on a terminal status (with the
 * generation), ids the last scan found unreadable, ids the store reported deleted.
 *
 * @category models
 * @since 0.3.0
 */
export interface WatchMemory {
  readonly finished: Map<string, number>;
  readonly quarantined: ReadonlySet<string>;
  readonly gone: Set<string>;
}

const onChange = (
  change: StoreChange,
  store: TokenStoreShape,
  scheduler: WatchScheduler,
  { finished, quarantined, gone }: WatchMemory,
  rescan: Effect.Effect<void>,
): Effect.Effect<void> => {
  // A quarantined entry that changed is scanned: the scan is what lifts a quarantine (and
  // what tells the store's readers, such as the watcher's board, that it reads again).
  if (change._tag === "Resync" || quarantined.has(change.id)) return rescan;
  const rec = scheduler.records.get(change.id);
  if (change._tag === "Deleted") {
    gone.add(change.id);
    finished.delete(change.id);
    scheduler.markStale(change.id);
    return Effect.void;
  }
  gone.delete(change.id);
  if (rec !== undefined) {
    if (change.generation >= (rec.stored?.generation ?? 0)) scheduler.markStale(change.id);
    return Effect.void;
  }
  if ((finished.get(change.id) ?? 0) >= change.generation) return Effect.void;
  // A token the watch does not hold: read it (an unreadable one waits for the next scan). A
  // new one is probed at once; one taken over from another watcher is spread, as a scan's are.
  return Effect.flatMap(Effect.result(store.get(change.id)), (found) =>
    Result.isSuccess(found) && Option.isSome(found.success)
      ? scheduler.add(found.success.value, change.handover === true)
      : Effect.void,
  );
};

/**
 * Follow `changes` into the scheduler for as long as the watch runs; `rescan` answers a
 * `Resync` and runs after the stream failed or ended, before subscribing again.
 *
 * @category watching
 * @since 0.3.0
 */
export const followChanges = (
  changes: () => Stream.Stream<StoreChange, StoreError>,
  store: TokenStoreShape,
  scheduler: WatchScheduler,
  memory: WatchMemory,
  ctx: WatchContext,
  rescan: Effect.Effect<void>,
): Effect.Effect<never> =>
  Effect.forever(
    Stream.runForEach(changes(), (change) =>
      onChange(change, store, scheduler, memory, rescan),
    ).pipe(
      Effect.ignore,
      Effect.andThen(Effect.sleep(ctx.schedule.rescanInterval)),
      Effect.andThen(rescan),
    ),
  );
