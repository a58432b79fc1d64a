// What every lifecycle scenario shares: an emulator on port 0 whose clock follows the Effect
// TestClock, the real Node transport wrapped so tests can see (and perturb) every request, and a
// `step` that advances simulated time only once the real HTTP it set off has finished. Each
// scenario runs under emulator variants picked from a seed (SCENARIO_VARIANT_SEED, CI rotates
// it per run, plus the scenario's index in its file): the client may rely on none of them.
import {
  endpointOf,
  HttpTransport,
  MiroConfig,
  type MiroConfigOptions,
  TokenClient,
  type TokenSet,
  TransportError,
  type TransportRequest,
} from "@miro-token/core";
import {
  type Emulator,
  type EmulatorOptions,
  type IssuedTokens,
  startEmulator,
  type Variants,
} from "@miro-token/emulator";
import { NodeTransport } from "@miro-token/transport-node";
import { Clock, type Context, Duration, Effect, Layer, Redacted } from "effect";
import { TestClock } from "effect/testing";

/** Simulated start of every scenario (TestClock and emulator agree on it). */
export const T0 = Date.UTC(2026, 0, 1);

/** What the instrumented transport saw. */
export interface Traffic {
  /** Requests sent and not yet answered (simulated hangs excluded). */
  inFlight: number;
  /** Requests started or finished: settles when this stops moving. */
  progress: number;
  /** Token-info probes in flight per access token, and the most ever seen at once. */
  readonly probing: Map<string, number>;
  maxProbesPerToken: number;
  /**
   * Real milliseconds without progress after which `settle` stops waiting for requests in
   * flight (a drip the server holds open is then left to core's attempt timeout). Generous by
   * default, so a loaded machine does not turn slow answers into simulated timeouts.
   */
  stallMillis: number;
  /** Requests held by a simulated hang, waiting for core's attempt timeout to end them. */
  hanging: number;
  /** When set, the scenario's perturbation is off: every request goes through untouched. */
  calm: boolean;
  /** Every request: route, wall time (TestClock) and the refresh token of a refresh. */
  readonly log: Array<{ readonly route: Route; readonly at: number; readonly grant?: string }>;
}

export type Route = "token-info" | "token" | "other";

/**
 * Decides, per request, whether to perturb it: `hang` never sends it (core's attempt timeout
 * ends it), `lose-response` sends it for real and then reports a connection reset, as when the
 * server processed the request and the answer was lost on the way.
 */
export type Perturb = (
  request: TransportRequest,
  route: Route,
) => "hang" | "lose-response" | "pass";

export const routeOf = (url: string): Route => {
  const path = new URL(url).pathname;
  if (path === "/v1/oauth-token") return "token-info";
  if (path === "/v1/oauth/token") return "token";
  return "other";
};

const bearerOf = (request: TransportRequest): string =>
  (request.headers.authorization ?? "").replace(/^Bearer /, "");

const grantOf = (request: TransportRequest): string | undefined =>
  new URLSearchParams(request.body ?? "").get("refresh_token") ?? undefined;

/** The Node transport, counting and optionally perturbing every request. */
export const instrumentedTransport = (
  traffic: Traffic,
  perturb: Perturb = () => "pass",
): Layer.Layer<HttpTransport> =>
  Layer.effect(
    HttpTransport,
    Effect.gen(function* () {
      const inner = yield* HttpTransport;
      return HttpTransport.of({
        send: (request) =>
          Effect.gen(function* () {
            const route = routeOf(request.url);
            const at = yield* Clock.currentTimeMillis;
            const grant = route === "token" ? grantOf(request) : undefined;
            traffic.log.push({ route, at, ...(grant === undefined ? {} : { grant }) });
            const action = traffic.calm ? "pass" : perturb(request, route);
            if (action === "hang") {
              return yield* Effect.acquireUseRelease(
                Effect.sync(() => {
                  traffic.hanging += 1;
                }),
                () => Effect.never,
                () =>
                  Effect.sync(() => {
                    traffic.hanging -= 1;
                  }),
              );
            }
            const key = route === "token-info" ? bearerOf(request) : undefined;
            return yield* Effect.acquireUseRelease(
              Effect.sync(() => {
                traffic.inFlight += 1;
                traffic.progress += 1;
                if (key !== undefined) {
                  const probes = (traffic.probing.get(key) ?? 0) + 1;
                  traffic.probing.set(key, probes);
                  traffic.maxProbesPerToken = Math.max(traffic.maxProbesPerToken, probes);
                }
              }),
              () =>
                action === "lose-response"
                  ? Effect.andThen(inner.send(request), Effect.fail(resetError(request)))
                  : inner.send(request),
              () =>
                Effect.sync(() => {
                  traffic.inFlight -= 1;
                  traffic.progress += 1;
                  if (key !== undefined)
                    traffic.probing.set(key, (traffic.probing.get(key) ?? 1) - 1);
                }),
            );
          }),
      });
    }),
  ).pipe(Layer.provide(NodeTransport.layer));

export const newTraffic = (): Traffic => ({
  inFlight: 0,
  progress: 0,
  probing: new Map(),
  maxProbesPerToken: 0,
  stallMillis: 2_000,
  hanging: 0,
  calm: false,
  log: [],
});

/** A TransportError as an adapter would report a reset (used by lost-response scenarios). */
export const resetError = (request: TransportRequest): TransportError =>
  new TransportError({
    kind: "Network",
    method: request.method,
    endpoint: endpointOf(request.url),
    reason: "ECONNRESET",
  });

/** The seed the first scenario of each file picks its variants from; the next one adds 1 ... */
export const BASE_VARIANT_SEED = Number.parseInt(process.env.SCENARIO_VARIANT_SEED ?? "0", 10) || 0;
let scenariosStarted = 0;

export interface Scenario {
  readonly emu: Emulator;
  /** The emulator variants this scenario runs under (shown in a failing assertion's context). */
  readonly variants: Variants;
  /** How far Miro's clock is ahead of the TestClock (a suspended laptop falls behind). */
  readonly serverAhead: { ms: number };
  readonly traffic: Traffic;
  /** The client, built in the scenario's scope (its connection pool lives as long). */
  readonly client: Context.Context<TokenClient>;
}

/**
 * Start an emulator at {@link T0}, set the TestClock to it, and build the client layer over the
 * instrumented transport. The emulator closes with the scope.
 */
export const scenario = (
  options: EmulatorOptions = {},
  perturb?: Perturb,
  config: MiroConfigOptions = {},
) =>
  Effect.gen(function* () {
    const emu = yield* Effect.acquireRelease(
      Effect.promise(() =>
        startEmulator({
          port: 0,
          now: T0,
          variantSeed: BASE_VARIANT_SEED + scenariosStarted++,
          ...options,
        }),
      ),
      (emulator) => Effect.promise(() => emulator.close()),
    );
    yield* TestClock.setTime(T0);
    const seed = emu.seed;
    if (seed === undefined) throw new Error("the emulator was started without a seed");
    const traffic = newTraffic();
    const layer = TokenClient.layer.pipe(
      Layer.provide(
        Layer.mergeAll(
          instrumentedTransport(traffic, perturb),
          MiroConfig.layer({
            baseUrl: emu.baseUrl,
            clientId: seed.client.clientId,
            clientSecret: seed.client.clientSecret,
            ...config,
          }),
        ),
      ),
    );
    const client = yield* Layer.build(layer);
    const variants = emu.settings().variants;
    return { emu, variants, serverAhead: { ms: 0 }, traffic, client } satisfies Scenario;
  });

/**
 * Wait (real time) until the requests set off by the last clock move have finished, or until
 * nothing has moved for `traffic.stallMillis`.
 */
export const settle = (traffic: Traffic): Effect.Effect<void> =>
  TestClock.withLive(
    Effect.gen(function* () {
      let quiet = 0;
      let seen = traffic.progress;
      let lastMove = Date.now();
      while (quiet < 3 && Date.now() - lastMove < traffic.stallMillis) {
        yield* Effect.sleep(traffic.inFlight > 0 ? 1 : 0);
        const moved = traffic.progress !== seen;
        quiet = traffic.inFlight === 0 && !moved ? quiet + 1 : 0;
        if (moved) lastMove = Date.now();
        seen = traffic.progress;
      }
    }),
  );

/**
 * Advance simulated time by `total` in steps of `step`, keeping the emulator's clock on the
 * TestClock's wall time and letting real HTTP finish after each step.
 */
export const advance = (
  s: Scenario,
  total: Duration.Input,
  step: Duration.Input = "1 second",
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const stepMs = Duration.toMillis(Duration.fromInputUnsafe(step));
    const steps = Math.ceil(Duration.toMillis(Duration.fromInputUnsafe(total)) / stepMs);
    yield* settle(s.traffic);
    for (let i = 0; i < steps; i++) {
      s.emu.clock.set((yield* Clock.currentTimeMillis) + stepMs + s.serverAhead.ms);
      yield* TestClock.adjust(stepMs);
      yield* settle(s.traffic);
    }
  });

/**
 * Bring the scenario to rest before its final assertions: perturbation off, then simulated
 * time moves one second at a time until no request is in flight or held by a hang, so no
 * refresh is half done (its new pair stored but not yet reported) while the test reads the
 * store and the recorded statuses. Fails if that takes over `limit` of simulated time.
 */
export const quiesce = (s: Scenario, limit: Duration.Input = "10 minutes"): Effect.Effect<void> =>
  Effect.gen(function* () {
    s.traffic.calm = true;
    const steps = Duration.toSeconds(Duration.fromInputUnsafe(limit));
    yield* settle(s.traffic);
    for (let i = 0; s.traffic.inFlight > 0 || s.traffic.hanging > 0; i++) {
      if (i >= steps) {
        return yield* Effect.die(new Error(`requests still in flight after ${steps} s`));
      }
      yield* advance(s, "1 second");
    }
  });

/** A token set for tokens the emulator issued just now (TestClock time). */
export const tokenSetOf = (issued: IssuedTokens, now: number): TokenSet => ({
  accessToken: Redacted.make(issued.accessToken),
  ...(issued.refreshToken === undefined
    ? {}
    : { refreshToken: Redacted.make(issued.refreshToken) }),
  ...(issued.expiresIn === undefined ? {} : { expiresAt: now + issued.expiresIn * 1000 }),
  scopes: issued.scope.split(" "),
  userId: issued.userId,
  teamId: issued.teamId,
});
