/**
 * The probe before resolving a refresh intent (issue 13): with an intent left for the current
 * generation, the refresher asks Miro about the stored access token while it has not expired
 * (more than `PROBE_EXPIRY_MARGIN` left). Invalid → ReauthorizeRequired "refresh outcome lost"
 * and no refresh request; valid → the refresh token is sent once; a 503 → that transient
 * failure, nothing sent, intent kept; expired or within the margin → no probe, the refresh
 * token is tried once as before. The real paths over the emulator: scenarios'
 * LostOutcomeProbe.test.ts.
 */
import { describe, expect, it } from "@effect/vitest";
import { Duration, Effect, Option } from "effect";
import { TestClock } from "effect/testing";
import {
  makeMemoryStore,
  REFRESH_OUTCOME_LOST,
  TokenClient,
  type TokenSet,
  unresolvedIntent,
} from "../src/index.ts";
import { makeRefresher, PROBE_EXPIRY_MARGIN } from "../src/internal.ts";
import { CREDENTIALS, INFO, layerWith, STORED_SET, TOKEN_OK } from "./ClientFixtures.ts";
import { fakeTransport, json, miroError } from "./FakeTransport.ts";

const NOW = 1_000_000;
const INFO_OK = json(200, INFO);

/** The refresher over a store holding a pair expiring `expiresIn` ms from NOW, with an intent. */
const lostRefresh = (transport: ReturnType<typeof fakeTransport>, expiresIn: number) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    const tokenSet: TokenSet = { ...STORED_SET, expiresAt: NOW + expiresIn };
    const store = yield* makeMemoryStore([{ id: "t", tokenSet }]);
    expect(yield* store.recordRefreshIntent("t", { generation: 1, startedAt: NOW - 1 })).toBe(true);
    const refresher = makeRefresher(store, yield* TokenClient);
    const paths = () => transport.requests.map((r) => new URL(r.url).pathname);
    return { store, refresher, paths };
  });

const withClient = (transport: ReturnType<typeof fakeTransport>) =>
  Effect.provide(layerWith(transport, { ...CREDENTIALS, retry: { limit: 1 } }));

describe("TokenRefresher: the probe before resolving a refresh intent", () => {
  it.effect("an access token Miro calls invalid: outcome lost, the refresh token not sent", () => {
    const transport = fakeTransport(miroError(401, "tokenInvalid"), TOKEN_OK);
    return Effect.gen(function* () {
      const { store, refresher, paths } = yield* lostRefresh(transport, 30 * 60_000);
      const error = yield* Effect.flip(refresher.refresh("t", 1));
      expect(error).toMatchObject({
        _tag: "ReauthorizeRequiredError",
        reason: REFRESH_OUTCOME_LOST,
        status: 401,
      });
      // Settled for this generation: asked again, nothing is sent at all.
      const again = yield* Effect.flip(refresher.refresh("t", 1));
      expect(again).toMatchObject({ reason: REFRESH_OUTCOME_LOST });
      expect(paths()).toEqual(["/v1/oauth-token"]);
      expect(unresolvedIntent(Option.getOrThrow(yield* store.get("t")))).toBeDefined();
    }).pipe(withClient(transport));
  });

  it.effect(
    "a lost outcome is recorded: another process's refresher sends nothing, even past expiry",
    () => {
      const transport = fakeTransport(miroError(401, "tokenInvalid"), TOKEN_OK);
      return Effect.gen(function* () {
        const { store, refresher, paths } = yield* lostRefresh(transport, 30 * 60_000);
        yield* Effect.flip(refresher.refresh("t", 1));
        // A fleet's next owner, or a restart: a new refresher, once the probe could not tell.
        yield* TestClock.adjust(Duration.minutes(31));
        const next = makeRefresher(store, yield* TokenClient);
        const error = yield* Effect.flip(next.refresh("t", 1));
        expect(error).toMatchObject({ reason: REFRESH_OUTCOME_LOST, status: 401 });
        expect(paths()).toEqual(["/v1/oauth-token"]);
        expect(unresolvedIntent(Option.getOrThrow(yield* store.get("t")))?.refused).toEqual({
          reason: REFRESH_OUTCOME_LOST,
          status: 401,
        });
      }).pipe(withClient(transport));
    },
  );

  it.effect("an access token Miro still accepts: the refresh token is sent once", () => {
    const transport = fakeTransport(INFO_OK, TOKEN_OK);
    return Effect.gen(function* () {
      const { refresher, paths } = yield* lostRefresh(transport, 30 * 60_000);
      const stored = yield* refresher.refresh("t", 1);
      expect(stored.generation).toBe(2);
      expect(unresolvedIntent(stored)).toBeUndefined();
      expect(paths()).toEqual(["/v1/oauth-token", "/v1/oauth/token"]);
    }).pipe(withClient(transport));
  });

  it.effect("a 503 on the probe fails the refresh transiently: nothing sent, intent kept", () => {
    const transport = fakeTransport(miroError(503, "serviceUnavailable"));
    return Effect.gen(function* () {
      const { store, refresher, paths } = yield* lostRefresh(transport, 30 * 60_000);
      const error = yield* Effect.flip(refresher.refresh("t", 1));
      expect(error._tag).toBe("ServerError");
      expect(new Set(paths())).toEqual(new Set(["/v1/oauth-token"]));
      expect(unresolvedIntent(Option.getOrThrow(yield* store.get("t")))).toBeDefined();
    }).pipe(withClient(transport));
  });

  it.effect("an access token within the margin of expiry is not probed: tried once", () => {
    const margin = Duration.toMillis(PROBE_EXPIRY_MARGIN);
    const transport = fakeTransport(miroError(400, "invalidGrant"));
    return Effect.gen(function* () {
      const { refresher, paths } = yield* lostRefresh(transport, margin);
      const error = yield* Effect.flip(refresher.refresh("t", 1));
      expect(error).toMatchObject({ reason: REFRESH_OUTCOME_LOST, status: 400 });
      expect(paths()).toEqual(["/v1/oauth/token"]);
    }).pipe(withClient(transport));
  });

  it.effect("an access token past the margin is probed", () => {
    const margin = Duration.toMillis(PROBE_EXPIRY_MARGIN);
    const transport = fakeTransport(INFO_OK, TOKEN_OK);
    return Effect.gen(function* () {
      const { refresher, paths } = yield* lostRefresh(transport, margin + 1);
      yield* refresher.refresh("t", 1);
      expect(paths()).toEqual(["/v1/oauth-token", "/v1/oauth/token"]);
    }).pipe(withClient(transport));
  });
});
