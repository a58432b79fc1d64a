/**
 * The token client for code that does not use Effect: plain promises that reject with the very
 * same typed error instances (`err instanceof InvalidTokenError`, `err._tag`, `err.retryable`,
 * `err.attempts`). Runs on a `ManagedRuntime`; call `dispose()` (or `await using`) when done.
 *
 * Without a `transport` it sends with the runtime's global `fetch`, through Effect's own
 * `FetchHttpClient` and core's {@link HttpClientTransport} adapter: core stays free of `node:`
 * imports and of an HTTP client of its own, and the default passes the same conformance suite as
 * the transport packages. Pass `transport` (`NodeTransport.layer`, ...) for another client.
 *
 * ```ts
 * await using client = createTokenClient(fromEnv()) // MIRO_API_BASE_URL, MIRO_CLIENT_ID, ...
 * const { info } = await client.info(process.env.MIRO_ACCESS_TOKEN ?? "")
 * ```
 *
 * @since 0.1.0
 */
import {
  Cause,
  ConfigProvider,
  Effect,
  Exit,
  Fiber,
  Layer,
  ManagedRuntime,
  Redacted,
} from "effect";
import { FetchHttpClient } from "effect/http";
import type { HttpTransport } from "./HttpTransport.ts";
import { MiroConfig, type MiroConfigOptions, miroEnvConfig } from "./MiroConfig.ts";
import type { RevokeResult } from "./operations/RevokeOperation.ts";
import type { RefreshInput } from "./operations/TokenEndpoint.ts";
import type { TokenInfoResult } from "./operations/TokenInfoOperation.ts";
import { TokenClient } from "./TokenClient.ts";
import type { TokenSet } from "./TokenSet.ts";
import * as HttpClientTransport from "./transport/HttpClientTransport.ts";

/**
 * A token as a plain string or already `Redacted`.
 *
 * @category models
 * @since 0.1.0
 */
export type TokenInput = string | Redacted.Redacted<string>;

/**
 * Options of {@link createTokenClient}: any {@link MiroConfigOptions} (`baseUrl`, `clientId`,
 * `clientSecret`, timeouts, retry) plus, optionally, a transport layer.
 *
 * @category models
 * @since 0.1.0
 */
export interface CreateTokenClientOptions extends MiroConfigOptions {
  /**
   * e.g. `NodeTransport.layer` from `@miro-token/transport-node`.
   * @default the global `fetch`, through Effect's `FetchHttpClient` ({@link defaultTransport})
   */
  readonly transport?: Layer.Layer<HttpTransport, unknown> | undefined;
}

/**
 * The transport {@link createTokenClient} uses when given none: the global `fetch` through
 * Effect's `FetchHttpClient` and core's `HttpClientTransport` adapter.
 *
 * @category layers
 * @since 0.1.0
 */
export const defaultTransport: Layer.Layer<HttpTransport> = HttpClientTransport.layer.pipe(
  Layer.provide(FetchHttpClient.layer),
);

/**
 * The client options the environment sets — `MIRO_API_BASE_URL`, `MIRO_CLIENT_ID`,
 * `MIRO_CLIENT_SECRET` — read by the very `Config` that `MiroConfig.layerConfig` reads
 * ({@link miroEnvConfig}). Unset variables are left out, so the defaults apply. `env` replaces
 * `process.env` (tests, a secrets manager's record).
 *
 * ```ts
 * const client = createTokenClient({ ...fromEnv(), deadline: "10 seconds" })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromEnv = (
  env?: Readonly<Record<string, string | undefined>>,
): Pick<MiroConfigOptions, "baseUrl" | "clientId" | "clientSecret"> => {
  const provider =
    env === undefined ? ConfigProvider.fromEnv() : ConfigProvider.fromEnvRecord({ ...env });
  const options = Effect.runSync(miroEnvConfig.parse(provider));
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Pick<MiroConfigOptions, "baseUrl" | "clientId" | "clientSecret">;
};

/**
 * The text of a `Redacted` token (`tokenSet.accessToken`, `tokenSet.refreshToken`), for the one
 * place that must send or store it. Promise code needs no `effect` import for it.
 *
 * @category accessors
 * @since 0.1.0
 */
export const reveal = (secret: Redacted.Redacted<string>): string => Redacted.value(secret);

/**
 * Per-call options.
 *
 * @category models
 * @since 0.1.0
 */
export interface CallOptions {
  /** Aborting interrupts the call (and its in-flight request). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The promise client.
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseTokenClient extends AsyncDisposable {
  readonly info: (token: TokenInput, options?: CallOptions) => Promise<TokenInfoResult>;
  readonly revoke: (token: TokenInput, options?: CallOptions) => Promise<RevokeResult>;
  /** Ids and scopes, when given, fill in what the refresh response leaves out. */
  readonly refresh: (
    tokenSet: Omit<RefreshInput, "refreshToken"> & {
      readonly refreshToken?: TokenInput | undefined;
    },
    options?: CallOptions,
  ) => Promise<TokenSet>;
  readonly exchangeCode: (
    code: TokenInput,
    redirectUri: string,
    options?: CallOptions,
  ) => Promise<TokenSet>;
  /** Release the runtime (and the transport's resources). */
  readonly dispose: () => Promise<void>;
}

/**
 * How calls enter the runtime. Until the runtime is built, and after `stop`, through
 * `runtime.runPromise` (which builds it, or rejects once disposed). Once built, straight into a
 * fiber on the built context: `runPromise` would also build its closures per call and register
 * each fiber in the runtime's scope; the calls in flight are kept here instead, and `stop`
 * interrupts them (and waits for them) before the runtime is disposed, as the scope would.
 */
const callRunner = (runtime: ManagedRuntime.ManagedRuntime<TokenClient, unknown>) => {
  const inFlight = new Set<Fiber.Fiber<unknown, unknown>>();
  let fork: ReturnType<typeof Effect.runForkWith<TokenClient>> | undefined;
  let stopped = false;
  const run = <A, E>(effect: Effect.Effect<A, E, TokenClient>, call?: CallOptions): Promise<A> => {
    const options = call?.signal === undefined ? undefined : { signal: call.signal };
    if (stopped || runtime.cachedContext === undefined) return runtime.runPromise(effect, options);
    fork ??= Effect.runForkWith(runtime.cachedContext);
    const fiber = fork(effect, options);
    return new Promise<A>((resolve, reject) => {
      inFlight.add(fiber);
      fiber.addObserver((exit) => {
        inFlight.delete(fiber);
        if (Exit.isSuccess(exit)) resolve(exit.value);
        else reject(Cause.squash(exit.cause));
      });
    });
  };
  const stop = async (): Promise<void> => {
    stopped = true;
    await Effect.runPromise(Fiber.interruptAll([...inFlight]));
  };
  return { run, stop };
};

const redact = (token: TokenInput): Redacted.Redacted<string> =>
  typeof token === "string" ? Redacted.make(token) : token;

/**
 * A promise-based token client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const createTokenClient = (options: CreateTokenClientOptions = {}): PromiseTokenClient => {
  const { transport = defaultTransport, ...config } = options;
  const runtime = ManagedRuntime.make(
    TokenClient.layer.pipe(Layer.provide(Layer.mergeAll(transport, MiroConfig.layer(config)))),
  );
  const calls = callRunner(runtime);
  const run = calls.run;
  const dispose = async (): Promise<void> => {
    await calls.stop();
    await runtime.dispose();
  };
  return {
    info: (token, call) => run(TokenClient.info(redact(token)), call),
    revoke: (token, call) => run(TokenClient.revoke(redact(token)), call),
    refresh: ({ refreshToken, ...rest }, call) =>
      run(
        TokenClient.refresh(
          refreshToken === undefined ? rest : { ...rest, refreshToken: redact(refreshToken) },
        ),
        call,
      ),
    exchangeCode: (code, redirectUri, call) =>
      run(TokenClient.exchangeCode(redact(code), redirectUri), call),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
};
