// A dead grant's verdict outlives the replica that reached it, on the real PostgreSQL with the
// emulator over real HTTP (what the fleet scenario once caught: a spent refresh token presented
// again by the owner after the next SIGKILL). Replica A sends a refresh (Miro rotates) and dies
// before storing the pair; replica B, the next owner, probes the old access token, finds the
// outcome lost and records the verdict; replica C, later still — its clock two hours on, so the
// stored access token has expired and a probe could no longer tell — reads the verdict and
// sends nothing. Three store instances stand for three replicas.
import { describe, expect, it } from "@effect/vitest";
import { REFRESH_OUTCOME_LOST, unresolvedIntent } from "@miro-token/core";
import { makeRefresher } from "@miro-token/core/internal";
import { Clock, Duration, Effect, Option, Redacted } from "effect";
import { PostgresTokenStore } from "../src/index.ts";
import { migratedDatabase } from "./Databases.ts";
import { clientOf, emulatorOf } from "./EmulatorClient.ts";

/** The live clock moved `ms` ahead (sleeps stay real). */
const clockAhead = (live: Clock.Clock, ms: number): Clock.Clock => ({
  ...live,
  currentTimeMillisUnsafe: () => live.currentTimeMillisUnsafe() + ms,
  currentTimeMillis: Effect.sync(() => live.currentTimeMillisUnsafe() + ms),
  currentTimeNanosUnsafe: () => live.currentTimeNanosUnsafe() + BigInt(ms) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => live.currentTimeNanosUnsafe() + BigInt(ms) * 1_000_000n),
});

describe("a dead grant in a fleet", () => {
  it.live("is reported by every later replica without presenting its refresh token again", () =>
    Effect.gen(function* () {
      const options = yield* migratedDatabase();
      const emulator = yield* emulatorOf;
      const client = yield* clientOf(emulator);
      const [a, b, c] = yield* Effect.all([
        PostgresTokenStore.make(options),
        PostgresTokenStore.make(options),
        PostgresTokenStore.make(options),
      ]);
      const issued = emulator.issueTokens({ accessTokenTtlSeconds: 3600 });
      const now = yield* Clock.currentTimeMillis;
      yield* a.compareAndSet("alice", 0, {
        accessToken: Redacted.make(issued.accessToken),
        refreshToken: Redacted.make(issued.refreshToken ?? ""),
        expiresAt: now + 3_599_000,
        scopes: [],
      });
      const stored = Option.getOrThrow(yield* a.get("alice"));
      // Replica A: the intent, the refresh Miro rotates on receipt, then a SIGKILL.
      expect(yield* a.recordRefreshIntent("alice", { generation: 1, startedAt: now })).toBe(true);
      yield* client.refresh(stored.tokenSet);
      const calls = (route: string) => emulator.requests.filter((r) => r.route === route).length;

      const fromB = yield* Effect.flip(makeRefresher(b, client).refresh("alice", 1));
      expect(fromB).toMatchObject({
        _tag: "ReauthorizeRequiredError",
        reason: REFRESH_OUTCOME_LOST,
      });
      // Miro's answer to the probe (the emulator's 400 for a rotated access token) is kept.
      const status = fromB._tag === "ReauthorizeRequiredError" ? fromB.status : undefined;
      expect(status).toBeGreaterThanOrEqual(400);
      expect([calls("token"), calls("token-info")]).toEqual([1, 1]);
      const marked = unresolvedIntent(Option.getOrThrow(yield* c.get("alice")));
      expect(marked?.refused).toEqual({ reason: REFRESH_OUTCOME_LOST, status });

      const live = yield* Clock.Clock;
      const fromC = yield* Effect.flip(
        makeRefresher(c, client)
          .refresh("alice", 1)
          .pipe(Effect.provideService(Clock.Clock, clockAhead(live, Duration.toMillis("2 hours")))),
      );
      expect(fromC).toMatchObject({ reason: REFRESH_OUTCOME_LOST, status });
      // Nothing more was sent: no probe, and above all no second presentation.
      expect([calls("token"), calls("token-info")]).toEqual([1, 1]);
    }).pipe(Effect.scoped),
  );
});
