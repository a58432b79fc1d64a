/**
 * Virtual time for a client call under test. Retry waits and attempt timeouts run on Effect's
 * TestClock: the call is forked, and `drive` advances virtual time in 100 ms steps whenever no
 * request is in flight (the client is waiting to retry) or a request has been stuck for 500 ms
 * of real time (a hang: its timeout must fire). The emulator's own clock is manual and only
 * moves when a test says so.
 */
import { Effect, type Fiber } from "effect";
import { TestClock } from "effect/testing";
import { ClientHarness } from "./ClientHarness.ts";

const realPause = (ms: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));

/** Advance virtual time while the client waits, until `fiber` settles. */
export const drive = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function* () {
    const harness = yield* ClientHarness;
    let stuckSince: number | undefined;
    for (let step = 0; step < 20_000; step++) {
      yield* realPause(2);
      if (fiber.pollUnsafe() !== undefined) return;
      if (harness.inFlight() > 0) {
        stuckSince ??= Date.now();
        if (Date.now() - stuckSince < 500) continue;
      } else {
        stuckSince = undefined;
      }
      yield* TestClock.adjust("100 millis");
    }
    throw new Error("drive: the call did not settle");
  });
