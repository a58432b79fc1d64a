/**
 * Issue 16: Miro documents no code that tells an expired token from a revoked one, and its
 * token-info failure may be a bare 400 or a 401. So a rejection of a token that has a refresh
 * token leads to exactly one refresh before anything is final, under every `tokenInfoFailure`
 * variant: the refresh revives it (Active again), or fails (ReauthorizeRequired, under every
 * `tokenFailure` variant), and a token Miro still rejects right after that one refresh is Invalid.
 */
import { describe, expect, it } from "@effect/vitest";
import { makeMemoryStore, TokenWatcher } from "@miro-token/core";
import { VARIANT_VALUES } from "@miro-token/emulator";
import { Clock, Effect } from "effect";
import { record, tags } from "./support/Collect.ts";
import { advance, type Scenario, scenario, tokenSetOf } from "./support/Harness.ts";

/** One expiring token (an hour) watched from a store, probed every minute. */
const watchedToken = (
  s: Scenario,
  options: { readonly knownExpiry: boolean } = { knownExpiry: true },
) =>
  Effect.gen(function* () {
    const issued = s.emu.issueTokens({ expiring: true });
    const { expiresAt: _unknown, ...withoutExpiry } = tokenSetOf(issued, 0);
    const tokenSet = options.knownExpiry
      ? tokenSetOf(issued, yield* Clock.currentTimeMillis)
      : withoutExpiry;
    const store = yield* makeMemoryStore([{ id: "t", tokenSet }]);
    const statuses = yield* record(
      TokenWatcher.watch({ id: "t", store }, { interval: "1 minute" }),
    ).pipe(Effect.provideContext(s.client));
    return { issued, statuses };
  });

const refreshes = (s: Scenario) => s.traffic.log.filter((r) => r.route === "token").length;

/**
 * Miro's clock runs an hour ahead (our expiry knowledge is stale, or Miro ended the token
 * early) until the watcher's first refresh; then the clocks agree again.
 */
const rejectUntilRefreshed = (s: Scenario) =>
  Effect.gen(function* () {
    yield* advance(s, "30 seconds", "5 seconds");
    s.serverAhead.ms = 3_660_000;
    for (let i = 0; i < 60 && refreshes(s) === 0; i++) yield* advance(s, "5 seconds");
    s.serverAhead.ms = 0;
    expect(refreshes(s)).toBe(1);
  });

describe("a token-info rejection of a refreshable token", () => {
  for (const tokenInfoFailure of VARIANT_VALUES.tokenInfoFailure) {
    it.effect(`[${tokenInfoFailure}] leads to one refresh, which revives it`, () =>
      Effect.gen(function* () {
        const s = yield* scenario({ variants: { tokenInfoFailure } });
        const { statuses } = yield* watchedToken(s);
        yield* rejectUntilRefreshed(s);
        yield* advance(s, "6 minutes", "5 seconds");
        expect(refreshes(s)).toBe(1);
        const seen = tags(statuses.items);
        expect(seen).not.toContain("Invalid");
        expect(seen).toContain("Refreshed");
        expect(seen.at(-1)).toMatch(/^(Active|Refreshed)$/);
      }).pipe(Effect.scoped),
    );
  }

  for (const tokenFailure of VARIANT_VALUES.tokenFailure) {
    it.effect(
      `[${tokenFailure}] revoked behind our back: one refresh, then ReauthorizeRequired`,
      () =>
        Effect.gen(function* () {
          const s = yield* scenario({ variants: { tokenFailure } });
          const { issued, statuses } = yield* watchedToken(s);
          yield* advance(s, "30 seconds", "5 seconds");
          s.emu.revokeAccess(issued.accessToken);
          yield* advance(s, "10 minutes", "5 seconds");
          expect(refreshes(s)).toBe(1);
          const seen = tags(statuses.items);
          expect(seen).not.toContain("Invalid");
          expect(seen.at(-1)).toBe("ReauthorizeRequired");
          expect(statuses.ended()).toBe(true);
        }).pipe(Effect.scoped),
    );
  }

  it.effect("a token whose expiry we never knew is refreshed once too", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const { statuses } = yield* watchedToken(s, { knownExpiry: false });
      yield* rejectUntilRefreshed(s);
      yield* advance(s, "5 minutes", "5 seconds");
      expect(refreshes(s)).toBe(1);
      expect(tags(statuses.items)).not.toContain("Invalid");
      expect(tags(statuses.items).at(-1)).toMatch(/^(Active|Refreshed)$/);
    }).pipe(Effect.scoped),
  );

  it.effect("a token still rejected right after its one refresh is Invalid (no loop)", () =>
    Effect.gen(function* () {
      const s = yield* scenario();
      const { statuses } = yield* watchedToken(s);
      yield* rejectUntilRefreshed(s);
      s.emu.queueFault("token-info", { kind: "status", status: 401, body: "" }, 10);
      yield* advance(s, "10 minutes", "5 seconds");
      expect(refreshes(s)).toBe(1);
      expect(tags(statuses.items).at(-1)).toBe("Invalid");
      expect(statuses.ended()).toBe(true);
    }).pipe(Effect.scoped),
  );
});
