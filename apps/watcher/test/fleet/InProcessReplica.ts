/**
 * One watcher replica in this process for the fleet tests: a `PostgresFleet` joined in its own
 * scope, `startWatcher` over its hooks, and a `stop` (watcher first, then the fleet: SIGTERM's
 * order) that runs once, also from the test's cleanups.
 */
import type { WatchOptions } from "@miro-token/core";
import { PostgresFleet, type PostgresStoreOptions } from "@miro-token/store-postgres";
import { Effect, Exit, Scope } from "effect";
import { watcherFleet } from "../../src/fleet/WatcherFleet.ts";
import { type startSyncedEmulator, startTestWatcher, type TestWatcher } from "../Fixtures.ts";

type Emulator = Awaited<ReturnType<typeof startSyncedEmulator>>["emulator"];

/** Start a replica; its `stop` is pushed onto `cleanups`. */
export const startInProcessReplica = async (
  options: PostgresStoreOptions,
  emulator: Emulator,
  cleanups: Array<() => unknown>,
  fleetOptions: PostgresFleet.PostgresFleetOptions,
  watch: WatchOptions,
) => {
  const scope = Effect.runSync(Scope.make());
  const fleet = await Effect.runPromise(
    Scope.provide(scope)(PostgresFleet.make(options, fleetOptions)),
  );
  const hooks = watcherFleet(fleet);
  const watcher: TestWatcher = await startTestWatcher(emulator, "", {
    store: hooks.store,
    fleet: hooks,
    watch,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await watcher.close();
    await Effect.runPromise(Scope.close(scope, Exit.void));
  };
  cleanups.push(stop);
  return { watcher, fleet, stop };
};
