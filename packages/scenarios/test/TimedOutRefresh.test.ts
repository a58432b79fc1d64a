/**
 * Issue 10, point 5 (b), and the restart after a crash mid-refresh: a refresh whose every attempt times out on a slow body, after the
 * emulator already rotated the refresh token. The attempts end in a transient `TransportError`,
 * but the refresh intent recorded before sending stays unresolved: the watcher must not probe
 * the old access token as a status check (Miro rotated it, so that probe would read as an
 * uninstall: `Invalid`); its next refresh resolves the intent — the refresher asks Miro about
 * the unexpired access token first and, told it is invalid, presents nothing more (else it
 * tries the stored refresh token once) — and ends `ReauthorizeRequired` "refresh outcome
 * lost". Real sockets, simulated time (TestClock).
 */
import { describe, expect, it } from "@effect/vitest";
import {
  makeMemoryStore,
  REFRESH_OUTCOME_LOST,
  TokenClient,
  type TokenStatus,
  TokenWatcher,
  unresolvedIntent,
} from "@miro-token/core";
import { Clock, Effect, Option } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, scenario, tokenSetOf } from "./support/Harness.ts";

describe("a timed-out refresh (slow body after the rotation)", () => {
  it.effect("resolves the intent as a lost outcome: ReauthorizeRequired, never Invalid", () =>
    Effect.gen(function* () {
      // A rotation kills the old access token here (the other reading: LostOutcomeProbe.test.ts).
      const s = yield* scenario({ variants: { rotationGrace: "none" } });
      s.traffic.stallMillis = 50;
      // Both attempts of the refresh: the server rotates, then drips its answer for minutes.
      s.emu.queueFault("token", { kind: "drip", intervalMs: 60_000, bytesPerTick: 1 }, 2);
      const issued = s.emu.issueTokens({ expiring: true });
      const now = yield* Clock.currentTimeMillis;
      const tokenSet = { ...tokenSetOf(issued, now), expiresAt: now + 4 * 60_000 };
      const store = yield* makeMemoryStore([{ id: "bob", tokenSet }]);
      const statuses = yield* record(
        TokenWatcher.watch({ id: "bob", store }, { interval: "1 minute" }),
      ).pipe(Effect.provideContext(s.client));

      yield* advance(s, "1 minute", "1 second");
      // Both attempts timed out with the same refresh token, which Miro rotated: the intent
      // recorded before sending is still there.
      const refreshes = s.traffic.log.filter((r) => r.route === "token");
      expect(refreshes.map((r) => r.grant)).toEqual([issued.refreshToken, issued.refreshToken]);
      expect(s.emu.refreshTokenState(issued.refreshToken ?? "")).toBe("rotated");
      expect(unresolvedIntent(Option.getOrThrow(yield* store.get("bob")))).toMatchObject({
        generation: 1,
      });

      yield* advance(s, "4 minutes", "1 second");
      const last = statuses.items.at(-1)?.value as TokenStatus | undefined;
      expect(last).toEqual({ _tag: "ReauthorizeRequired", reason: REFRESH_OUTCOME_LOST });
      expect(tags(statuses.items)).not.toContain("Invalid");
      // The intent was resolved by the refresher's probe of the (rotated) access token, and
      // the rotated refresh token was not presented a third time.
      const firstRefresh = refreshes[0]?.at ?? 0;
      const after = s.traffic.log.filter((r) => r.at >= firstRefresh);
      expect(after.map((r) => r.route)).toEqual(["token", "token", "token-info"]);
      expect(statuses.ended()).toBe(true);
    }).pipe(Effect.scoped),
  );

  it.effect("a watcher started on an unresolved intent resolves it before any status probe", () =>
    Effect.gen(function* () {
      // A rotation kills the old access token here (the other reading: LostOutcomeProbe.test.ts).
      const s = yield* scenario({ variants: { rotationGrace: "none" } });
      const now = yield* Clock.currentTimeMillis;
      const start = (rotate: boolean) =>
        Effect.gen(function* () {
          const issued = s.emu.issueTokens({ expiring: true });
          const tokenSet = tokenSetOf(issued, now);
          // A process recorded the intent, sent the refresh, and died (with or without Miro
          // having rotated): all a restart finds is the old pair and the intent.
          const store = yield* makeMemoryStore([{ id: "bob", tokenSet }]);
          yield* store.recordRefreshIntent("bob", { generation: 1, startedAt: now });
          if (rotate) {
            yield* TokenClient.refresh(tokenSet).pipe(Effect.provideContext(s.client));
          }
          s.traffic.log.length = 0;
          const statuses = yield* record(
            TokenWatcher.watch({ id: "bob", store }, { interval: "1 minute" }),
          ).pipe(Effect.provideContext(s.client));
          yield* advance(s, "5 seconds", "1 second");
          return { statuses, routes: s.traffic.log.map((r) => r.route), store };
        });

      const lost = yield* start(true);
      expect(tags(lost.statuses.items)).toEqual(["Refreshing", "ReauthorizeRequired"]);
      expect(lost.statuses.items.at(-1)?.value).toEqual({
        _tag: "ReauthorizeRequired",
        reason: REFRESH_OUTCOME_LOST,
      });
      // The refresher's probe of the rotated access token: nothing presented again.
      expect(lost.routes).toEqual(["token-info"]);

      const recovered = yield* start(false);
      expect(tags(recovered.statuses.items).slice(0, 2)).toEqual(["Refreshing", "Refreshed"]);
      expect(recovered.routes.slice(0, 2)).toEqual(["token-info", "token"]);
      const stored = Option.getOrThrow(yield* recovered.store.get("bob"));
      expect(stored.generation).toBe(2);
      expect(unresolvedIntent(stored)).toBeUndefined();
    }).pipe(Effect.scoped),
  );
});
