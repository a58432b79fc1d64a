/**
 * `RefreshTokenExpiring` for webhooks: a periodic look at every stored token's refresh token
 * age. core's watch loop renews a refresh token once when it has less than the margin left
 * (by default 7 of its 60 days: `--refresh-token-margin`, `--refresh-token-lifetime`); a token
 * still in that state on two looks in a row with the same refresh token was not renewed (the
 * refresh keeps failing, or cannot be made), and is reported. Two looks, so the moment between
 * "due" and the renewal landing is never reported.
 *
 * @since 0.1.0
 */
import {
  isRefreshTokenExpiring,
  type RefreshTokenAge,
  scanStore,
  type TokenStoreShape,
} from "@miro-token/core";
import { Clock, Effect } from "effect";

/**
 * A sweep: `run` looks once and calls `report(id)` for each token newly found expiring, and
 * `recovered(id)` for a reported one whose refresh token was renewed (or that left the store);
 * `reported(id)` says whether a token is currently reported.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeExpirySweep = (
  store: TokenStoreShape,
  report: (id: string) => void,
  recovered: (id: string) => void,
  age: RefreshTokenAge = {},
) => {
  /** Token id -> the refresh token issue time seen expiring on the last look. */
  const seen = new Map<string, number>();
  const reportedIds = new Set<string>();
  const run = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    // A scan: an unreadable (quarantined) entry does not hide the others.
    const { entries } = yield* scanStore(store);
    const expiring = new Set<string>();
    for (const { id, tokenSet } of entries) {
      const issuedAt = tokenSet.refreshTokenIssuedAt;
      if (issuedAt === undefined || !isRefreshTokenExpiring(tokenSet, now, age)) continue;
      expiring.add(id);
      if (seen.get(id) === issuedAt && !reportedIds.has(id)) {
        reportedIds.add(id);
        report(id);
      }
      seen.set(id, issuedAt);
    }
    for (const id of [...seen.keys()]) if (!expiring.has(id)) seen.delete(id);
    for (const id of [...reportedIds]) {
      if (expiring.has(id)) continue;
      reportedIds.delete(id);
      recovered(id);
    }
  }).pipe(Effect.ignore);
  return { run, reported: (id: string) => reportedIds.has(id) };
};
