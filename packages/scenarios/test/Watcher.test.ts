/**
 * TokenWatcher.watch against the emulator over real HTTP, on simulated time: a non-expiring
 * token is only probed, an expiring one is refreshed once per expiry inside its refresh window,
 * a token revoked behind our back turns Invalid within one probe interval, and a 5xx storm is
 * Unreachable (never Invalid) and recovers.
 */
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryStore, TokenWatcher, type WatchOptions } from "@miro-token/core";
import { Clock, Effect, Option, Redacted } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, scenario, tokenSetOf } from "./support/Harness.ts";

const MINUTE = 60_000;

/** A scenario watching one non-expiring token, probed every minute. */
const watchedNonExpiringToken = Effect.gen(function* () {
  const s = yield* scenario();
  const issued = s.emu.issueTokens({ expiring: false });
  const statuses = yield* record(
    TokenWatcher.watch(Redacted.make(issued.accessToken), { interval: "1 minute" }),
  ).pipe(Effect.provideContext(s.client));
  return { s, issued, statuses };
});

describe("TokenWatcher.watch", () => {
  it.effect("probes a non-expiring token on its cadence and never refreshes it", () =>
    Effect.gen(function* () {
      const { s, statuses } = yield* watchedNonExpiringToken;
      yield* advance(s, "2 hours", "10 seconds");
      const probes = s.traffic.log.filter((r) => r.route === "token-info").length;
      expect(s.traffic.log.filter((r) => r.route === "token")).toHaveLength(0);
      // One probe at start, then one per 54–60 s (10% jitter) for two hours.
      expect(probes).toBeGreaterThanOrEqual(120);
      expect(probes).toBeLessThanOrEqual(135);
      expect(tags(statuses.items)).toEqual(["Active"]);
      expect(s.traffic.maxProbesPerToken).toBe(1);
    }).pipe(Effect.scoped),
  );

  it.effect("refreshes an expiring token once per expiry, inside its refresh window", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const issued = s.emu.issueTokens({ expiring: true });
      const store = yield* makeMemoryStore([
        { id: "alice", tokenSet: tokenSetOf(issued, yield* Clock.currentTimeMillis) },
      ]);
      const options: WatchOptions = {
        interval: "1 minute",
        refreshWindow: "5 minutes",
        refreshJitter: "30 seconds",
      };
      const statuses = yield* record(TokenWatcher.watch({ id: "alice", store }, options)).pipe(
        Effect.provideContext(s.client),
      );
      yield* advance(s, "190 minutes", "5 seconds");
      const refreshes = s.traffic.log.filter((r) => r.route === "token");
      expect(refreshes).toHaveLength(3);
      const expiring = statuses.items.flatMap((item) =>
        item.value._tag === "Expiring" ? [{ at: item.at, ...item.value }] : [],
      );
      expect(expiring).toHaveLength(3);
      for (const [i, e] of expiring.entries()) {
        expect(e.refreshAt).toBeGreaterThanOrEqual(e.expiresAt - 5 * MINUTE - 30_000);
        expect(e.refreshAt).toBeLessThanOrEqual(e.expiresAt - 5 * MINUTE);
        // The refresh request went out at the planned point (within one 5 s step).
        const sent = refreshes[i]?.at ?? Number.NaN;
        expect(sent).toBeGreaterThanOrEqual(e.refreshAt);
        expect(sent).toBeLessThanOrEqual(e.refreshAt + 5_000);
      }
      expect(tags(statuses.items).slice(0, 5)).toEqual([
        "Active",
        "Expiring",
        "Refreshing",
        "Refreshed",
        "Active",
      ]);
      const stored = Option.getOrThrow(yield* store.get("alice"));
      expect(stored.generation).toBe(4);
      const refreshToken = Redacted.value(stored.tokenSet.refreshToken ?? Redacted.make(""));
      expect(s.emu.refreshTokenState(refreshToken)).toBe("active");
      expect(s.emu.accessTokenState(Redacted.value(stored.tokenSet.accessToken))).toBe("active");
      expect(statuses.items.some((item) => item.value._tag === "Invalid")).toBe(false);
    }).pipe(Effect.scoped),
  );

  it.effect("shows a token revoked behind our back as Invalid within one probe interval", () =>
    Effect.gen(function* () {
      const { s, issued, statuses } = yield* watchedNonExpiringToken;
      yield* advance(s, "5 minutes", "5 seconds");
      s.emu.revokeAccess(issued.accessToken);
      const revokedAt = yield* Clock.currentTimeMillis;
      yield* advance(s, "70 seconds", "1 second");
      const last = statuses.items.at(-1);
      // 400 or 401, with or without a code: whatever the variant, the token is Invalid.
      expect(last?.value).toMatchObject({ _tag: "Invalid" });
      expect([400, 401]).toContain(last?.value._tag === "Invalid" ? last.value.status : 0);
      expect(last?.at ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(revokedAt + MINUTE);
      expect(statuses.ended()).toBe(true);
      const probes = s.traffic.log.filter((r) => r.route === "token-info").length;
      yield* advance(s, "10 minutes", "10 seconds");
      expect(s.traffic.log.filter((r) => r.route === "token-info")).toHaveLength(probes);
    }).pipe(Effect.scoped),
  );

  it.effect("reports a 5xx storm as Unreachable, never Invalid, and recovers", () =>
    Effect.gen(function* () {
      const { s, issued, statuses } = yield* watchedNonExpiringToken;
      yield* advance(s, "2 minutes", "5 seconds");
      s.emu.queueFault("token-info", { kind: "status", status: 503 }, 40);
      s.emu.queueFault("token-info", { kind: "status", status: 502 }, 10);
      s.emu.queueFault("token-info", { kind: "reset" }, 10);
      yield* advance(s, "2 hours", "5 seconds");
      const seen = tags(statuses.items);
      expect(seen).not.toContain("Invalid");
      expect(seen).toContain("Unreachable");
      expect(seen.at(-1)).toBe("Active");
      const unreachable = statuses.items.flatMap((item) =>
        item.value._tag === "Unreachable" ? [item.value] : [],
      );
      expect(unreachable.map((u) => u.error.tag)).toContain("ServerError");
      expect(JSON.stringify(statuses.items)).not.toContain(issued.accessToken.slice(-12));
    }).pipe(Effect.scoped),
  );

  it.effect("watches a bare token set without refreshing it (no store to keep a new pair)", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const issued = s.emu.issueTokens({ expiring: true });
      const tokenSet = tokenSetOf(issued, yield* Clock.currentTimeMillis);
      const statuses = yield* record(TokenWatcher.watch(tokenSet, { interval: "1 minute" })).pipe(
        Effect.provideContext(s.client),
      );
      yield* advance(s, "65 minutes", "10 seconds");
      expect(s.traffic.log.filter((r) => r.route === "token")).toHaveLength(0);
      expect(s.emu.refreshTokenState(issued.refreshToken ?? "")).toBe("active");
      // (Expired shows when our clock notices first; the emulator's clock runs up to a step
      // ahead, so its rejection may come first.)
      const seen = tags(statuses.items).filter((tag) => tag !== "Expired");
      expect(seen).toEqual(["Active", "Expiring", "Invalid"]);
      const last = statuses.items.at(-1)?.value;
      expect(last?._tag).toBe("Invalid");
      expect([400, 401]).toContain(last?._tag === "Invalid" ? last.status : 0);
    }).pipe(Effect.scoped),
  );
});
