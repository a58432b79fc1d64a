/**
 * Scripted faults: what a route should do instead of (or on top of) its normal answer, queued
 * per route and consumed in order, like octokit's fixtures-server scenarios. A route-specific
 * queue is drained before the "any" queue. `parseFault` validates faults arriving as JSON
 * through the control API.
 */

/** The routes faults can target; "any" matches every Miro route (never the control API). */
export type EmulatorRoute =
  | "token-info"
  | "revoke-v1"
  | "revoke-v2"
  | "token"
  | "authorize"
  | "any";

/** One scripted misbehaviour. */
export type Fault =
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  | { kind: "delay"; ms: number }
  | { kind: "reset" }
  | { kind: "lost" }
  | { kind: "hang" }
  | { kind: "malformed" }
  | { kind: "truncated" }
  | { kind: "html" }
  | { kind: "empty" }
  | { kind: "oversized"; bytes: number }
  | { kind: "drip"; intervalMs: number; bytesPerTick?: number };

/** Every route name, "any" included. */
export const EMULATOR_ROUTES: ReadonlyArray<EmulatorRoute> = [
  "token-info",
  "revoke-v1",
  "revoke-v2",
  "token",
  "authorize",
  "any",
];

interface QueuedFault {
  readonly fault: Fault;
  remaining: number;
}

/** Per-route FIFO queues of faults. */
export class FaultQueue {
  readonly #queues = new Map<EmulatorRoute, Array<QueuedFault>>();

  /** Queues `fault` for the next `times` requests to `route` (after those already queued). */
  queue(route: EmulatorRoute, fault: Fault, times = 1): void {
    if (!EMULATOR_ROUTES.includes(route)) throw new TypeError(`unknown route ${String(route)}`);
    if (!(Number.isInteger(times) && times >= 1)) {
      throw new TypeError(`times must be a positive integer, got ${times}`);
    }
    const checked = parseFault(fault);
    const list = this.#queues.get(route) ?? [];
    list.push({ fault: checked, remaining: times });
    this.#queues.set(route, list);
  }

  /** Takes the next fault for a request to `route`: its own queue first, then "any". */
  take(route: Exclude<EmulatorRoute, "any">): Fault | undefined {
    return this.#takeFrom(route) ?? this.#takeFrom("any");
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#queues.clear();
  }

  #takeFrom(route: EmulatorRoute): Fault | undefined {
    const list = this.#queues.get(route);
    const head = list?.[0];
    if (list === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) list.shift();
    return head.fault;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const integerField = (
  input: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number => {
  const value = input[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `fault.${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
};

const stringRecord = (value: unknown): Record<string, string> => {
  if (!isRecord(value) || Object.values(value).some((item) => typeof item !== "string")) {
    throw new TypeError("fault.headers must be an object of strings");
  }
  return value as Record<string, string>;
};

/** Checks an untrusted value is a well-formed Fault and returns a clean copy; throws TypeError. */
export const parseFault = (input: unknown): Fault => {
  if (!isRecord(input)) throw new TypeError("fault must be an object with a kind");
  switch (input.kind) {
    case "status": {
      const fault: Fault = { kind: "status", status: integerField(input, "status", 200, 599) };
      if (input.body !== undefined) {
        if (typeof input.body !== "string") throw new TypeError("fault.body must be a string");
        fault.body = input.body;
      }
      if (input.headers !== undefined) fault.headers = { ...stringRecord(input.headers) };
      return fault;
    }
    case "delay":
      return { kind: "delay", ms: integerField(input, "ms", 0, 600_000) };
    case "oversized":
      return { kind: "oversized", bytes: integerField(input, "bytes", 1, 1024 ** 3) };
    case "drip": {
      const fault: Fault = {
        kind: "drip",
        intervalMs: integerField(input, "intervalMs", 1, 60_000),
      };
      if (input.bytesPerTick !== undefined) {
        fault.bytesPerTick = integerField(input, "bytesPerTick", 1, 1024 ** 2);
      }
      return fault;
    }
    case "reset":
    case "lost":
    case "hang":
    case "malformed":
    case "truncated":
    case "html":
    case "empty":
      return { kind: input.kind };
    default:
      throw new TypeError(`unknown fault kind ${JSON.stringify(input.kind)}`);
  }
};
