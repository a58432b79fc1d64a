/**
 * Issue 13: a process died (SIGKILL) after sending a refresh and before storing the answer, so
 * all a restart finds is the old pair and its refresh intent. The refresher must never present
 * a refresh token Miro has evidently rotated: it first asks Miro about the stored access token
 * (token info) while that has not expired. Invalid (the emulator kills the old access token at
 * rotation) → ReauthorizeRequired "refresh outcome lost" with no second presentation; valid →
 * the refresh token is presented once and the pair recovered; a 503 on the probe → a transient
 * failure, retried, with nothing presented meanwhile; an expired access token says nothing, so
 * the refresh token is tried once as before. Real sockets to the emulator, simulated time.
 */
import { describe, expect, it } from "@effect/vitest";
import {
  makeMemoryStore,
  REFRESH_OUTCOME_LOST,
  refresherFor,
  TokenClient,
  type TokenStatus,
  TokenWatcher,
  unresolvedIntent,
} from "@miro-token/core";
import { Clock, Effect, Option } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, type Scenario, scenario, tokenSetOf } from "./support/Harness.ts";

/**
 * A store left by a process that recorded the intent, sent the refresh (Miro rotated when
 * `rotated`) and died before the write; the logs are cleared so they show only what follows.
 */
const diedMidRefresh = (s: Scenario, rotated: boolean, expiresInMs = 60 * 60_000) =>
  Effect.gen(function* () {
    const issued = s.emu.issueTokens({ expiring: true });
    const now = yield* Clock.currentTimeMillis;
    const tokenSet = { ...tokenSetOf(issued, now), expiresAt: now + expiresInMs };
    const store = yield* makeMemoryStore([{ id: "bob", tokenSet }]);
    expect(yield* store.recordRefreshIntent("bob", { generation: 1, startedAt: now })).toBe(true);
    if (rotated) yield* TokenClient.refresh(tokenSet).pipe(Effect.provideContext(s.client));
    s.traffic.log.length = 0;
    s.emu.clearRequests();
    const statuses = yield* record(
      TokenWatcher.watch({ id: "bob", store }, { interval: "1 minute" }),
    ).pipe(Effect.provideContext(s.client));
    const refreshToken = issued.refreshToken ?? "";
    /** How often the emulator saw a refresh, and our transport sent this refresh token. */
    const presentations = () => ({
      atMiro: s.emu.requests.filter((r) => r.route === "token").length,
      sent: s.traffic.log.filter((r) => r.route === "token" && r.grant === refreshToken).length,
    });
    return { issued, store, statuses, presentations, refreshToken };
  });

describe("resolving a lost refresh outcome probes the access token first", () => {
  it.effect("Miro rotated: the probe says invalid, nothing is presented, outcome lost", () =>
    Effect.gen(function* () {
      // The emulator's documented-strictest reading: a rotation kills the old access token.
      const s = yield* scenario({ variants: { rotationGrace: "none" } });
      const { store, statuses, presentations, refreshToken } = yield* diedMidRefresh(s, true);
      yield* advance(s, "5 seconds", "1 second");
      expect(s.traffic.log.map((r) => r.route)).toEqual(["token-info"]);
      // Miro's verdict on the access token: 400 (spec) or 401, per the emulator's variant.
      expect(s.emu.requests.map((r) => r.route)).toEqual(["token-info"]);
      expect([400, 401]).toContain(s.emu.requests[0]?.status);
      expect(presentations()).toEqual({ atMiro: 0, sent: 0 });
      expect(s.emu.refreshTokenState(refreshToken)).toBe("rotated");
      expect(statuses.items.at(-1)?.value).toEqual({
        _tag: "ReauthorizeRequired",
        reason: REFRESH_OUTCOME_LOST,
      });
      expect(tags(statuses.items)).not.toContain("Invalid");
      expect(statuses.ended()).toBe(true);
      // Settled for this generation: a direct refresh is refused without a request.
      const client = yield* TokenClient.pipe(Effect.provideContext(s.client));
      const again = yield* Effect.flip(refresherFor(store, client).refresh("bob", 1));
      expect(again).toMatchObject({
        _tag: "ReauthorizeRequiredError",
        reason: REFRESH_OUTCOME_LOST,
      });
      expect(s.traffic.log).toHaveLength(1);
      // The intent stays with the pair: the record of why it needs re-authorization.
      expect(unresolvedIntent(Option.getOrThrow(yield* store.get("bob")))).toBeDefined();
    }).pipe(Effect.scoped),
  );

  it.effect("Miro rotated but the old access token lives on: tried once, as without a probe", () =>
    Effect.gen(function* () {
      const s = yield* scenario({ variants: { rotationGrace: "60s" } });
      const { statuses, presentations } = yield* diedMidRefresh(s, true);
      yield* advance(s, "5 seconds", "1 second");
      expect(s.traffic.log.map((r) => r.route)).toEqual(["token-info", "token"]);
      expect(presentations()).toEqual({ atMiro: 1, sent: 1 });
      expect(statuses.items.at(-1)?.value).toEqual({
        _tag: "ReauthorizeRequired",
        reason: REFRESH_OUTCOME_LOST,
      });
    }).pipe(Effect.scoped),
  );

  it.effect("Miro never got it: the probe says valid, the refresh token is presented once", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const { store, statuses, presentations } = yield* diedMidRefresh(s, false);
      yield* advance(s, "5 seconds", "1 second");
      expect(s.traffic.log.map((r) => r.route).slice(0, 2)).toEqual(["token-info", "token"]);
      expect(presentations()).toEqual({ atMiro: 1, sent: 1 });
      expect(tags(statuses.items).slice(0, 2)).toEqual(["Refreshing", "Refreshed"]);
      const stored = Option.getOrThrow(yield* store.get("bob"));
      expect(stored.generation).toBe(2);
      expect(unresolvedIntent(stored)).toBeUndefined();
    }).pipe(Effect.scoped),
  );

  it.effect("a 503 on the probe is transient: retried later, nothing presented meanwhile", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      s.emu.queueFault("token-info", { kind: "status", status: 503 }, 1_000);
      const { store, statuses, presentations } = yield* diedMidRefresh(s, false);
      yield* advance(s, "3 minutes", "1 second");
      const probes = s.emu.requests.filter((r) => r.route === "token-info");
      expect(probes.length).toBeGreaterThanOrEqual(2);
      expect(probes.every((r) => r.status === 503)).toBe(true);
      expect(presentations()).toEqual({ atMiro: 0, sent: 0 });
      expect(tags(statuses.items)).not.toContain("Invalid");
      expect(tags(statuses.items)).not.toContain("ReauthorizeRequired");
      expect(unresolvedIntent(Option.getOrThrow(yield* store.get("bob")))).toBeDefined();

      s.emu.clearFaults();
      yield* advance(s, "5 minutes", "1 second");
      expect(presentations()).toEqual({ atMiro: 1, sent: 1 });
      expect(tags(statuses.items)).toContain("Refreshed");
      expect(Option.getOrThrow(yield* store.get("bob")).generation).toBe(2);
    }).pipe(Effect.scoped),
  );

  it.effect("an expired access token says nothing: the refresh token is tried once", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const { statuses, presentations } = yield* diedMidRefresh(s, true, -60_000);
      yield* advance(s, "5 seconds", "1 second");
      expect(s.traffic.log.map((r) => r.route)).toEqual(["token"]);
      expect(presentations()).toEqual({ atMiro: 1, sent: 1 });
      const last = statuses.items.at(-1)?.value as TokenStatus | undefined;
      expect(last).toEqual({ _tag: "ReauthorizeRequired", reason: REFRESH_OUTCOME_LOST });
    }).pipe(Effect.scoped),
  );
});
