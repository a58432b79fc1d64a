/**
 * The token client for code that does not use Effect: plain promises that reject with the very
 * same typed error instances (`err instanceof InvalidTokenError`, `err._tag`, `err.retryable`,
 * `err.attempts`). Runs on a `ManagedRuntime`; call `dispose()` (or `await using`) when done.
 *
 * ```ts
 * const client = createTokenClient({ transport: FetchTransport.layer })
 * const { info } = await client.info(process.env.MIRO_ACCESS_TOKEN!)
 * await client.dispose()
 * ```
 *
 * @since 0.1.0
 */
import { type Effect, Layer, ManagedRuntime, Redacted } from "effect";
import type { HttpTransport } from "./HttpTransport.ts";
import { MiroConfig, type MiroConfigOptions } from "./MiroConfig.ts";
import type { RevokeResult } from "./operations/RevokeOperation.ts";
import type { RefreshInput } from "./operations/TokenEndpoint.ts";
import type { TokenInfoResult } from "./operations/TokenInfoOperation.ts";
import { TokenClient } from "./TokenClient.ts";
import type { TokenSet } from "./TokenSet.ts";

/**
 * A token as a plain string or already `Redacted`.
 *
 * @category models
 * @since 0.1.0
 */
export type TokenInput = string | Redacted.Redacted<string>;

/**
 * Options of {@link createTokenClient}: a transport layer plus any {@link MiroConfigOptions}.
 *
 * @category models
 * @since 0.1.0
 */
export interface CreateTokenClientOptions extends MiroConfigOptions {
  /** e.g. `FetchTransport.layer` from `@miro-token/transport-fetch`. */
  readonly transport: Layer.Layer<HttpTransport, unknown>;
}

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

const redact = (token: TokenInput): Redacted.Redacted<string> =>
  typeof token === "string" ? Redacted.make(token) : token;

/**
 * A promise-based token client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const createTokenClient = (options: CreateTokenClientOptions): PromiseTokenClient => {
  const { transport, ...config } = options;
  const runtime = ManagedRuntime.make(
    TokenClient.layer.pipe(Layer.provide(Layer.mergeAll(transport, MiroConfig.layer(config)))),
  );
  const run = <A, E>(effect: Effect.Effect<A, E, TokenClient>, call?: CallOptions): Promise<A> =>
    runtime.runPromise(effect, call?.signal === undefined ? undefined : { signal: call.signal });
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
    dispose: () => runtime.dispose(),
    [Symbol.asyncDispose]: () => runtime.dispose(),
  };
};
