/**
 * Everything core needs to know to talk to Miro: where (base URL), how long (per-attempt timeout
 * and overall deadline), how hard to retry, who we are (user agent) and, optionally, the OAuth
 * client credentials that unlock revoke v2, refresh and code exchange.
 *
 * Build it from code with {@link MiroConfig.layer} or from the environment with
 * {@link MiroConfig.layerConfig}. Secrets are held as `Redacted` and never printed.
 *
 * @since 0.1.0
 */
import { Config, Context, Duration, Effect, Layer, Option, Redacted } from "effect";
import { DEFAULT_MAX_BODY_BYTES } from "./HttpTransport.ts";
import { secretConfig, settingConfig } from "./settings/EnvConfig.ts";
import { VERSION } from "./version.ts";

/**
 * The version this build of core reports in its user agent: its package.json version
 * (generated into `version.ts` by scripts/versions.ts).
 *
 * @category constants
 * @since 0.1.0
 */
export const CORE_VERSION: string = VERSION;

/**
 * Retry tuning, named after ky's options so readers can map concepts.
 *
 * @category models
 * @since 0.1.0
 */
export interface RetryOptions {
  /**
   * Upper bound on attempts for the most patient operation (token info). Revoke and refresh
   * have stricter built-in limits (3 and 2); this can only lower them.
   * @default 3
   */
  readonly limit: number;
  /**
   * First backoff ceiling: before retry n the wait is uniform in
   * [0, min(backoffLimit, delay·2^(n-1))]. Wide enough that full jitter spreads a crowd of
   * clients retrying after one outage (no 100 ms slot gets more than ~2.5% of them).
   * @default 4 seconds
   */
  readonly delay: Duration.Duration;
  /** Cap on a computed backoff. @default 10 seconds */
  readonly backoffLimit: Duration.Duration;
  /** Full jitter on computed backoff (never on a server-given wait). @default true */
  readonly jitter: boolean;
  /** Longest server-given wait (`Retry-After`, `X-RateLimit-Reset`) we honour. @default 60 seconds */
  readonly maxRetryAfter: Duration.Duration;
}

/**
 * The resolved configuration.
 *
 * @category models
 * @since 0.1.0
 */
export interface MiroConfigShape {
  /**
   * Checked by `BaseUrl.checkBaseUrl` before any request: `https:`, or `http:` to a loopback
   * host; no credentials, no query. @default "https://api.miro.com"
   */
  readonly baseUrl: string;
  /**
   * Allow `http:` to a non-loopback host: tokens and the client secret then travel in clear.
   * For a test rig behind a trusted network only. @default false
   */
  readonly allowInsecureHttp: boolean;
  /** Per HTTP attempt of token info and revoke (the probes). @default 10 seconds */
  readonly attemptTimeout: Duration.Duration;
  /**
   * Per HTTP attempt of the token endpoint (refresh, code exchange). Longer than the probes':
   * Miro rotates the refresh token on receipt, so an attempt cut short can lose the new pair
   * (the refresh protocol then has to resolve a lost outcome). Still bounded by `deadline`.
   * @default 20 seconds
   */
  readonly tokenAttemptTimeout: Duration.Duration;
  /** For a whole operation, retries and waits included. @default 30 seconds */
  readonly deadline: Duration.Duration;
  readonly retry: RetryOptions;
  /** @default "miro-token/0.1.0" */
  readonly userAgent: string;
  /** Response body cap passed to the transport. @default 1 MiB */
  readonly maxBodyBytes: number;
  readonly clientId: string | undefined;
  readonly clientSecret: Redacted.Redacted<string> | undefined;
  /**
   * Without client credentials, revoke through the deprecated `POST /v1/oauth/revoke` in its
   * only documented form, the token in the URL query (it may then reach proxy and server
   * logs). Off by default: revoke then asks for client credentials. @default false
   */
  readonly allowV1Revoke: boolean;
}

/**
 * Options accepted by {@link MiroConfig.layer}; every field is optional.
 *
 * @category models
 * @since 0.1.0
 */
export interface MiroConfigOptions {
  readonly baseUrl?: string | undefined;
  readonly allowInsecureHttp?: boolean | undefined;
  readonly attemptTimeout?: Duration.Input | undefined;
  readonly tokenAttemptTimeout?: Duration.Input | undefined;
  readonly deadline?: Duration.Input | undefined;
  readonly retry?:
    | {
        readonly limit?: number | undefined;
        readonly delay?: Duration.Input | undefined;
        readonly backoffLimit?: Duration.Input | undefined;
        readonly jitter?: boolean | undefined;
        readonly maxRetryAfter?: Duration.Input | undefined;
      }
    | undefined;
  readonly userAgent?: string | undefined;
  readonly maxBodyBytes?: number | undefined;
  readonly clientId?: string | undefined;
  /** A plain string is wrapped in `Redacted` at once. */
  readonly clientSecret?: Redacted.Redacted<string> | string | undefined;
  /** See {@link MiroConfigShape.allowV1Revoke}. */
  readonly allowV1Revoke?: boolean | undefined;
}

/**
 * Defaults for every option.
 *
 * @category constants
 * @since 0.1.0
 */
export const miroConfigDefaults: MiroConfigShape = {
  baseUrl: "https://api.miro.com",
  allowInsecureHttp: false,
  attemptTimeout: Duration.seconds(10),
  tokenAttemptTimeout: Duration.seconds(20),
  deadline: Duration.seconds(30),
  retry: {
    limit: 3,
    delay: Duration.seconds(4),
    backoffLimit: Duration.seconds(10),
    jitter: true,
    maxRetryAfter: Duration.seconds(60),
  },
  userAgent: `miro-token/${CORE_VERSION}`,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  clientId: undefined,
  clientSecret: undefined,
  allowV1Revoke: false,
};

const duration = (input: Duration.Input | undefined, fallback: Duration.Duration) =>
  input === undefined ? fallback : Duration.fromInputUnsafe(input);

/** Strip a trailing slash so `${baseUrl}/v1/...` never doubles it. */
const normalizeBaseUrl = (url: string): string => url.replace(/\/+$/, "");

/**
 * Resolve options against {@link miroConfigDefaults}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMiroConfig = (options: MiroConfigOptions = {}): MiroConfigShape => {
  const retry = options.retry ?? {};
  const secret = options.clientSecret;
  return {
    baseUrl: normalizeBaseUrl(options.baseUrl ?? miroConfigDefaults.baseUrl),
    allowInsecureHttp: options.allowInsecureHttp ?? miroConfigDefaults.allowInsecureHttp,
    attemptTimeout: duration(options.attemptTimeout, miroConfigDefaults.attemptTimeout),
    tokenAttemptTimeout: duration(
      options.tokenAttemptTimeout,
      miroConfigDefaults.tokenAttemptTimeout,
    ),
    deadline: duration(options.deadline, miroConfigDefaults.deadline),
    retry: {
      limit: Math.max(1, Math.floor(retry.limit ?? miroConfigDefaults.retry.limit)),
      delay: duration(retry.delay, miroConfigDefaults.retry.delay),
      backoffLimit: duration(retry.backoffLimit, miroConfigDefaults.retry.backoffLimit),
      jitter: retry.jitter ?? miroConfigDefaults.retry.jitter,
      maxRetryAfter: duration(retry.maxRetryAfter, miroConfigDefaults.retry.maxRetryAfter),
    },
    userAgent: options.userAgent ?? miroConfigDefaults.userAgent,
    maxBodyBytes: options.maxBodyBytes ?? miroConfigDefaults.maxBodyBytes,
    clientId: options.clientId,
    clientSecret: typeof secret === "string" ? Redacted.make(secret) : secret,
    allowV1Revoke: options.allowV1Revoke ?? false,
  };
};

/**
 * The options the environment sets: `MIRO_API_BASE_URL`, `MIRO_CLIENT_ID` and
 * `MIRO_CLIENT_SECRET` (redacted); an unset or empty variable is `undefined`. Read by the
 * toolkit's shared rules (`settingConfig`, `secretConfig`: 64 KiB cap, one trailing newline
 * stripped from the secret, a malformed secret is a `ConfigError` naming the variable). The one
 * definition both {@link MiroConfig.layerConfig} and the promise client's `fromEnv` read.
 *
 * @category config
 * @since 0.1.0
 */
export const miroEnvConfig: Config.Config<
  Pick<MiroConfigOptions, "baseUrl" | "clientId" | "clientSecret">
> = Config.all({
  baseUrl: settingConfig("MIRO_API_BASE_URL"),
  clientId: settingConfig("MIRO_CLIENT_ID"),
  clientSecret: secretConfig("MIRO_CLIENT_SECRET"),
}).pipe(
  Config.map((env) => ({
    baseUrl: Option.getOrUndefined(env.baseUrl),
    clientId: Option.getOrUndefined(env.clientId),
    clientSecret: Option.getOrUndefined(env.clientSecret),
  })),
);

/**
 * The configuration service.
 *
 * @category services
 * @since 0.1.0
 */
export class MiroConfig extends Context.Service<MiroConfig, MiroConfigShape>()(
  "@miro-token/core/MiroConfig",
) {
  /**
   * Configuration from code.
   *
   * @since 0.1.0
   */
  static layer = (options: MiroConfigOptions = {}): Layer.Layer<MiroConfig> =>
    Layer.succeed(MiroConfig, makeMiroConfig(options));

  /**
   * Configuration from the environment (`Config`): `MIRO_API_BASE_URL`, `MIRO_CLIENT_ID`,
   * `MIRO_CLIENT_SECRET` (redacted), read by the same rules as the CLI and the watcher: empty
   * means unset, at most 64 KiB each, and the secret has one trailing newline stripped and must
   * be sendable in a header (a `ConfigError` naming the variable otherwise). `overrides` set
   * the options the environment does not cover (timeouts, retry, user agent, body cap).
   *
   * @since 0.1.0
   */
  static layerConfig = (
    overrides: Omit<MiroConfigOptions, "baseUrl" | "clientId" | "clientSecret"> = {},
  ): Layer.Layer<MiroConfig, Config.ConfigError> =>
    Layer.effect(
      MiroConfig,
      Effect.gen(function* () {
        const env = yield* miroEnvConfig;
        return makeMiroConfig({ ...overrides, ...env });
      }),
    );
}

/**
 * Client credentials, when both halves are configured.
 *
 * @category accessors
 * @since 0.1.0
 */
export const credentialsOf = (
  config: MiroConfigShape,
): { readonly clientId: string; readonly clientSecret: Redacted.Redacted<string> } | undefined =>
  config.clientId !== undefined && config.clientSecret !== undefined
    ? { clientId: config.clientId, clientSecret: config.clientSecret }
    : undefined;
