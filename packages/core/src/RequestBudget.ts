/**
 * One request budget shared by every token a watcher watches: at most `concurrency` requests
 * in flight, and one rate-limit gate per Miro quota bucket (Miro counts credits per user and
 * app). When any token of a user learns that the quota is spent (`X-RateLimit-Remaining: 0`,
 * or a 429), the gate closes until the reset for every token of that user, so none of them
 * spends a request the server would refuse (the watcher spreads the held-back probes over one
 * interval after the reset instead of firing them in the same second).
 *
 * Times are monotonic milliseconds of the Effect `Clock`.
 *
 * @since 0.1.0
 */
import { Effect, Semaphore } from "effect";

/**
 * @category models
 * @since 0.1.0
 */
export interface RequestBudget {
  /** Run one request holding one of the shared permits. */
  readonly withPermit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>;
  /** When the gate of `key` reopens (monotonic ms), or `undefined` when it is open at `now`. */
  readonly reopensAt: (key: string, now: number) => number | undefined;
  /** Close the gate of `key` until monotonic time `until` (a later close wins). */
  readonly close: (key: string, until: number) => Effect.Effect<void>;
  /** Whether requests for `key` must wait at monotonic time `now`. */
  readonly isClosed: (key: string, now: number) => boolean;
}

/**
 * Monotonic milliseconds of the Effect `Clock` (immune to wall-clock jumps).
 *
 * @category constructors
 * @since 0.1.0
 */
export const monotonicMillis: Effect.Effect<number> = Effect.clockWith((clock) =>
  Effect.sync(() => Number(clock.monotonicTimeNanosUnsafe()) / 1_000_000),
);

/**
 * A budget with `concurrency` permits (at least 1).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRequestBudget = (concurrency: number): RequestBudget => {
  const permits = Semaphore.makeUnsafe(Math.max(1, Math.floor(concurrency)));
  const gates = new Map<string, number>();
  const isClosed = (key: string, now: number): boolean => (gates.get(key) ?? 0) > now;
  return {
    withPermit: (effect) => permits.withPermits(1)(effect),
    reopensAt: (key, now) => (isClosed(key, now) ? gates.get(key) : undefined),
    close: (key, until) =>
      Effect.sync(() => {
        if ((gates.get(key) ?? 0) < until) gates.set(key, until);
      }),
    isClosed,
  };
};
