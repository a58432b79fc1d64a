/**
 * How `watch` shows statuses: the NDJSON event document, the live status line (state, time to
 * expiry, next probe, a spinner while a request is in flight) and the one-line-per-change log
 * above it. Only fingerprints and ids, never tokens.
 */
import { TokenStatus, type TokenStatusTag } from "@miro-token/core";
import { Schema } from "effect";
import { formatRemaining } from "../DurationText.ts";
import { isoTime, type OutputMode, style } from "../Output.ts";

/** One status of one token, as the CLI reports it. */
export interface WatchEvent {
  readonly id: string | null;
  readonly fingerprint: string;
  readonly generation: number | null;
  readonly status: TokenStatus;
  /** A stored token's refresh token end (epoch ms), when its issue time is known. */
  readonly refreshTokenExpiresAt?: number | undefined;
}

/** The statuses in which a token is fine. */
export const GOOD: ReadonlySet<TokenStatusTag> = new Set([
  "Active",
  "Expiring",
  "Refreshing",
  "Refreshed",
]);

/** The expiry a status knows of, if any. */
export const expiryOf = (status: TokenStatus): number | undefined => {
  switch (status._tag) {
    case "Active":
    case "Refreshed":
    case "Expired":
      return status.expiresAt;
    case "Expiring":
      return status.expiresAt;
    default:
      return undefined;
  }
};

const encodeStatus = Schema.encodeSync(TokenStatus);

/** The NDJSON line of an event. */
export const eventDocument = (event: WatchEvent, at: number) => ({
  type: "status" as const,
  at: isoTime(at),
  id: event.id,
  fingerprint: event.fingerprint,
  generation: event.generation,
  state: event.status._tag,
  status: encodeStatus(event.status),
});

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

const paintState = (mode: OutputMode, state: TokenStatusTag): string =>
  GOOD.has(state)
    ? style.green(mode, state)
    : state === "Unreachable" || state === "RateLimited" || state === "Expiring"
      ? style.yellow(mode, state)
      : style.red(mode, state);

/** The live status line for the latest events. */
export const statusLine = (
  mode: OutputMode,
  latest: ReadonlyMap<string, WatchEvent>,
  now: number,
  nextProbeAt: number | undefined,
  frame: number,
  inFlight: boolean,
): string => {
  const spinner = inFlight
    ? style.cyan(mode, SPINNER[frame % SPINNER.length] ?? "*")
    : style.dim(mode, "●");
  const next =
    nextProbeAt === undefined
      ? ""
      : `  next probe in ${formatRemaining(Math.max(1, nextProbeAt - now))}`;
  const events = [...latest.values()];
  if (events.length === 1 && events[0] !== undefined) {
    const event = events[0];
    const expiresAt = expiryOf(event.status);
    const expiry =
      expiresAt === undefined ? "" : `  expires in ${formatRemaining(expiresAt - now)}`;
    return `${spinner} ${event.id ?? event.fingerprint}  ${paintState(mode, event.status._tag)}${expiry}${next}`;
  }
  const counts = new Map<string, number>();
  for (const event of events)
    counts.set(event.status._tag, (counts.get(event.status._tag) ?? 0) + 1);
  const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(", ");
  return `${spinner} ${events.length} tokens: ${summary || "starting"}${next}`;
};

/** One permanent line per change, above the status line. */
export const changeLine = (mode: OutputMode, event: WatchEvent, at: number): string =>
  `${style.dim(mode, isoTime(at))}  ${event.id === null ? event.fingerprint : `${event.id} ${style.dim(mode, event.fingerprint)}`}  ${paintState(mode, event.status._tag)}${
    event.generation === null ? "" : style.dim(mode, `  gen ${event.generation}`)
  }`;
