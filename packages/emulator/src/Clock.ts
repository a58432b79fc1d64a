/**
 * The emulator's controllable clock. Every expiry (access tokens, refresh tokens, authorization
 * codes) and every rate-limit window is measured on this clock, never on wall time, so tests can
 * jump forward with `advance` instead of sleeping.
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

const checkedTime = (value: number, what: string): number => {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`clock ${what}: expected a finite number of milliseconds, got ${value}`);
  }
  return Math.trunc(value);
};
