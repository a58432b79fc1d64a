/**
 * RELIABILITY target 12, in-process single-flight: 1–8 concurrent callers of
 * `accessToken()` / `refresh()` on one expired token, their store and HTTP steps interleaved
 * by `fc.scheduler`, against the emulator (rotation: a used refresh token dies). Every run must
 * end with exactly one refresh request and a stored refresh token the emulator still accepts.
 * A naive refresh (read, refresh, write, no single-flight) is run through the same property
 * and must be caught, so the property is known to bite.
 */
import {
  HttpTransport,
  MiroConfig,
  makeMemoryStore,
  TokenClient,
  type TokenClientShape,
  type TokenStoreShape,
} from "@miro-token/core";
import { makeRefresher } from "@miro-token/core/internal";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { NodeTransport } from "@miro-token/transport-node";
import { Effect, Layer, ManagedRuntime, Option, Redacted } from "effect";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_VARIANT_SEED, tokenSetOf } from "./support/Harness.ts";

const RUNS = 1_000;
const SEED = 12;

let emu: Emulator;
let runtime: ManagedRuntime.ManagedRuntime<TokenClient, never>;
/** Set per run: every store step and HTTP send waits for the scheduler. */
let pause: (label: string) => Effect.Effect<void> = () => Effect.void;
let refreshRequests = 0;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, variantSeed: BASE_VARIANT_SEED });
  const seed = emu.seed;
  if (seed === undefined) throw new Error("no seed");
  const transport = Layer.effect(
    HttpTransport,
    Effect.gen(function* () {
      const inner = yield* HttpTransport;
      return HttpTransport.of({
        send: (request) =>
          Effect.suspend(() => {
            const label = new URL(request.url).pathname;
            if (label === "/v1/oauth/token") refreshRequests += 1;
            return Effect.andThen(pause(`send ${label}`), inner.send(request));
          }),
      });
    }),
  ).pipe(Layer.provide(NodeTransport.layer));
  const config = MiroConfig.layer({
    baseUrl: emu.baseUrl,
    clientId: seed.client.clientId,
    clientSecret: seed.client.clientSecret,
  });
  runtime = ManagedRuntime.make(
    TokenClient.layer.pipe(Layer.provide(Layer.merge(transport, config))),
  );
});

afterAll(async () => {
  await runtime.dispose();
  await emu.close();
});

/** The memory store with a scheduler pause before each step. */
const pausedStore = (store: TokenStoreShape): TokenStoreShape => ({
  get: (id) => Effect.andThen(pause("get"), store.get(id)),
  list: () => Effect.andThen(pause("list"), store.list()),
  compareAndSet: (id, generation, next) =>
    Effect.andThen(pause("compareAndSet"), store.compareAndSet(id, generation, next)),
  delete: (id) => Effect.andThen(pause("delete"), store.delete(id)),
  recordRefreshIntent: (id, intent) =>
    Effect.andThen(pause("recordRefreshIntent"), store.recordRefreshIntent(id, intent)),
  withLock: (id, effect) => Effect.andThen(pause("lock"), store.withLock(id, effect)),
});

/** What the naive client of the RELIABILITY finding does: read, refresh, write. */
const naiveAccessToken = (store: TokenStoreShape, client: TokenClientShape) =>
  Effect.gen(function* () {
    const stored = Option.getOrThrow(yield* store.get("t"));
    const next = yield* client.refresh(stored.tokenSet);
    yield* store.compareAndSet("t", stored.generation, next);
    return next.accessToken;
  });

type Caller = "accessToken" | "refresh";

const property = (implementation: "single-flight" | "naive") =>
  fc.asyncProperty(
    fc.scheduler(),
    fc.array(fc.constantFrom<Caller>("accessToken", "refresh"), { minLength: 1, maxLength: 8 }),
    async (scheduler, callers) => {
      const issued = emu.issueTokens({ expiring: true });
      const now = emu.clock.now();
      const expired = { ...tokenSetOf(issued, now), expiresAt: now - 1_000 };
      refreshRequests = 0;
      pause = (label) => Effect.promise(() => scheduler.schedule(Promise.resolve(), label));
      const program = Effect.gen(function* () {
        const client = yield* TokenClient;
        const store = pausedStore(yield* makeMemoryStore([{ id: "t", tokenSet: expired }]));
        const refresher = makeRefresher(store, client);
        const call = (caller: Caller) =>
          implementation === "naive"
            ? naiveAccessToken(store, client)
            : caller === "accessToken"
              ? refresher.accessToken("t")
              : Effect.map(refresher.refresh("t", 1), (stored) => stored.tokenSet.accessToken);
        const tokens = yield* Effect.all(callers.map(call), { concurrency: "unbounded" }).pipe(
          Effect.result,
        );
        pause = () => Effect.void;
        const final = Option.getOrThrow(yield* store.get("t"));
        return { tokens, final };
      });
      const { tokens, final } = await scheduler.waitFor(runtime.runPromise(program));
      const refreshToken = Redacted.value(final.tokenSet.refreshToken ?? Redacted.make(""));
      expect(emu.refreshTokenState(refreshToken)).toBe("active");
      if (tokens._tag === "Failure") throw new Error(`a caller failed: ${tokens.failure._tag}`);
      // Run one after the other, the naive client refreshes once per caller and never fails:
      // only an interleaving (two callers presenting the same refresh token) can fail it.
      if (implementation === "naive") return;
      expect(refreshRequests).toBe(1);
      expect(final.generation).toBe(2);
      const stored = Redacted.value(final.tokenSet.accessToken);
      for (const token of tokens.success) expect(Redacted.value(token)).toBe(stored);
    },
  );

describe("target 12: in-process single-flight under fc.scheduler", () => {
  it(`makes exactly one refresh per expiry and never loses the refresh token (${RUNS} runs)`, async () => {
    await fc.assert(property("single-flight"), { seed: SEED, numRuns: RUNS });
  }, 120_000);

  it("catches the naive read-refresh-write client (the interleavings bite)", async () => {
    const result = await fc.check(property("naive"), { seed: SEED, numRuns: 200 });
    expect(result.failed).toBe(true);
    // Miro's documented 401 oauthError, or a 400 invalid grant: the rotated token was re-presented.
    expect(String(result.errorInstance)).toMatch(/InvalidGrantError|ClientAuthError/);
  }, 60_000);
});
