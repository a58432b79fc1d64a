/**
 * When `miro-token watch` stops, and with which failure: `--until`, `--once` and
 * `--fail-if-ttl-below` read against each event. Pure, so the rules are tested without a watch
 * (`TextParsing.test.ts`); `WatchRun.ts` runs the watch and asks these.
 */
import type { TokenStatusTag } from "@miro-token/core";
import { Duration } from "effect";
import { formatRemaining } from "../DurationText.ts";
import { WatchConditionError } from "../Failure.ts";
import { expiryOf, GOOD, type WatchEvent } from "./WatchOutput.ts";

/** When to stop. */
export interface StopConditions {
  readonly once: boolean;
  readonly until: TokenStatusTag | undefined;
  readonly failIfTtlBelow: Duration.Duration | undefined;
}

/** The failure a status implies when the watch must stop on it, if any. */
export const failureOf = (
  event: WatchEvent,
  conditions: StopConditions,
  now: number,
): WatchConditionError | undefined => {
  const state = event.status._tag;
  if (state === conditions.until) return undefined;
  const who = event.id === null ? `token ${event.fingerprint}` : `token ${event.id}`;
  // Expired is not terminal (a refresh may still revive it); only --fail-if-ttl-below stops on it.
  if (state === "Expired" && conditions.failIfTtlBelow !== undefined) {
    return new WatchConditionError({ reason: `${who} expired`, state });
  }
  // A refresh token near its end (Miro: 60 days) counts too: the token dies with it.
  const refreshLeft =
    event.refreshTokenExpiresAt === undefined ? undefined : event.refreshTokenExpiresAt - now;
  if (
    conditions.failIfTtlBelow !== undefined &&
    refreshLeft !== undefined &&
    refreshLeft < Duration.toMillis(conditions.failIfTtlBelow)
  ) {
    return new WatchConditionError({
      reason: `${who}'s refresh token expires in ${formatRemaining(refreshLeft)}, below --fail-if-ttl-below ${Duration.format(conditions.failIfTtlBelow)}`,
      state: "RefreshTokenExpiring",
    });
  }
  const expiresAt = expiryOf(event.status);
  if (conditions.failIfTtlBelow !== undefined && expiresAt !== undefined) {
    const ttl = expiresAt - now;
    if (ttl < Duration.toMillis(conditions.failIfTtlBelow)) {
      return new WatchConditionError({
        reason: `${who} expires in ${formatRemaining(ttl)}, below --fail-if-ttl-below ${Duration.format(conditions.failIfTtlBelow)}`,
        state,
      });
    }
  }
  return undefined;
};

/** The failure of a watch that ended (or stopped with `--once`) on `event`. */
export const endFailureOf = (
  event: WatchEvent,
  conditions: StopConditions,
): WatchConditionError | undefined => {
  const state = event.status._tag;
  if (state === conditions.until || GOOD.has(state) || state === "Stopped") return undefined;
  if (!conditions.once && (state === "Unreachable" || state === "RateLimited")) return undefined;
  const who = event.id === null ? `token ${event.fingerprint}` : `token ${event.id}`;
  return new WatchConditionError({ reason: `${who} ended ${state}`, state });
};
