/**
 * The emulator's controllable clock. Every expiry (access tokens, refresh tokens, authorization
 * codes) and every rate-limit window is measured on this clock, so tests can jump forward with
 * `advance` instead of sleeping. Two kinds: a frozen clock that moves only when told (the
 * in-process default, for tests) and one that follows real time from a settable offset (the
 * binary's default, so rate-limit windows and expiries pass as they would at Miro).
 */

/** The clock as the public API exposes it. */
export interface EmulatorClock {
  /** The current emulator time, epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` milliseconds (must be finite and not negative). */
  advance(ms: number): void;
  /** Sets the clock to `epochMs`; may move it backwards. */
  set(epochMs: number): void;
}

/** A manual clock that only moves when told to. */
export class ManualClock implements EmulatorClock {
  #now: number;

  /** Starts the clock at `epochMs`. */
  constructor(epochMs: number) {
    this.#now = checkedTime(epochMs, "initial time");
  }

  /** @inheritdoc */
  now(): number {
    return this.#now;
  }

  /** @inheritdoc */
  advance(ms: number): void {
    const step = checkedTime(ms, "advance");
    if (step < 0) throw new RangeError(`clock.advance: ms must not be negative, got ${ms}`);
    this.#now += step;
  }

  /** @inheritdoc */
  set(epochMs: number): void {
    this.#now = checkedTime(epochMs, "set");
  }
}

/** A clock that follows real time; `advance` and `set` move it relative to the wall clock. */
export class FollowingClock implements EmulatorClock {
  readonly #wall: () => number;
  #offset: number;

  /** Starts at `epochMs` and then moves with `wall` (default `Date.now`). */
  constructor(epochMs: number, wall: () => number = Date.now) {
    this.#wall = wall;
    this.#offset = checkedTime(epochMs, "initial time") - wall();
  }

  /** @inheritdoc */
  now(): number {
    return Math.trunc(this.#wall() + this.#offset);
  }

  /** @inheritdoc */
  advance(ms: number): void {
    const step = checkedTime(ms, "advance");
    if (step < 0) throw new RangeError(`clock.advance: ms must not be negative, got ${ms}`);
    this.#offset += step;
  }

  /** @inheritdoc */
  set(epochMs: number): void {
    this.#offset = checkedTime(epochMs, "set") - this.#wall();
  }
}

const checkedTime = (value: number, what: string): number => {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`clock ${what}: expected a finite number of milliseconds, got ${value}`);
  }
  return Math.trunc(value);
};
