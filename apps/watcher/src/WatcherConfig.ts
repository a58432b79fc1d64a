/**
 * The watcher's configuration, validated: what the flags (`WatcherFlags.ts`, parsed by
 * effect/cli, each falling back to its environment variable) mean. Every problem is reported
 * at once, in plain words, with no stack trace; the caller exits 2. A secret is never accepted
 * on the command line (core's argv guard runs before effect/cli, in `WatcherCommand.ts`): the
 * client secret comes from a file (`--client-secret-file`) or from `MIRO_CLIENT_SECRET` (core's
 * `secretConfig`), and no message ever quotes it.
 *
 * @since 0.1.0
 */
import { secretConfig } from "@miro-token/core";
import type { StoreSelection } from "@miro-token/core/internal";
import { Effect, Option, Redacted, Result } from "effect";
import { parseNetworkSettings } from "./NetworkSettings.ts";
import { parseRefreshTokenAge } from "./RefreshTokenAgeSettings.ts";
import { configProblem, makeReaders, shown } from "./SettingReaders.ts";
import { readStoreEnv, resolveStore, type StoreEnv } from "./StoreSetting.ts";
import { type OtlpEnvironment, type OtlpSettings, parseOtlpSettings } from "./Telemetry.ts";
import type { WatcherInput } from "./WatcherFlags.ts";
import { parseWebhookSettings } from "./webhooks/WebhookConfig.ts";
import type { WebhookOptions } from "./webhooks/Webhooks.ts";

/** The fleet's lease when `--fleet-lease` is not given, and the longest one accepted. */
const DEFAULT_FLEET_LEASE_MS = 20_000;
const MAX_FLEET_LEASE_MS = 30_000;

/**
 * A validated configuration.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatcherConfig {
  /**
   * The token store, by core's selection rule (`StoreSetting.ts`): a file store's absolute
   * directory, or a PostgreSQL URL (`StoreSelection.ts` opens it).
   */
  readonly store: StoreSelection;
  readonly port: number;
  readonly host: string;
  /** Host names the HTTP surface answers besides loopback names and `host`. */
  readonly allowedHosts: ReadonlyArray<string>;
  /** The HTTP access token (`--http-token-file`); required when `host` is not loopback. */
  readonly httpToken: Redacted.Redacted<string> | undefined;
  readonly baseUrl: string;
  /** `--allow-insecure-http`: plain http: to a non-loopback host was allowed (and warned about). */
  readonly allowInsecureHttp: boolean;
  /** Probe cadence, milliseconds. */
  readonly interval: number;
  /** Refresh this long before expiry, milliseconds. */
  readonly refreshWindow: number;
  /** How long a refresh token lives after it was issued, milliseconds. */
  readonly refreshTokenLifetime: number;
  /** Renew (or report `RefreshTokenExpiring`) with less than this left, milliseconds. */
  readonly refreshTokenMargin: number;
  /** Most requests to Miro in flight at once. */
  readonly concurrency: number;
  /**
   * PostgreSQL store only: the fleet's lease, milliseconds (`--fleet-lease`): a SIGKILLed
   * replica's tokens are taken over after it; SIGTERM gives them back at once.
   */
  readonly fleetLease: number;
  /** Longest wait for an in-flight refresh at shutdown, milliseconds. */
  readonly shutdownTimeout: number;
  readonly clientId: string | undefined;
  readonly clientSecret: Redacted.Redacted<string> | undefined;
  /** Accept a store another user owns or others can write (store-file's `insecurePermissions`). */
  readonly insecureStorePermissions: boolean;
  /** Signed webhooks, when `--webhook-url` is set. */
  readonly webhooks: WebhookOptions | undefined;
  /** OTLP export, when `--otlp-endpoint` (or `OTEL_EXPORTER_OTLP_ENDPOINT`) is set. */
  readonly otlp: OtlpSettings | undefined;
  /** Things worth saying on stderr at start (not errors). */
  readonly warnings: ReadonlyArray<string>;
}

/**
 * What reading the command line produced: a configuration, a request for help (with its
 * text) or the version, or the list of problems.
 *
 * @category models
 * @since 0.1.0
 */
export type ConfigResult =
  | { readonly _tag: "Config"; readonly config: WatcherConfig }
  | { readonly _tag: "Help"; readonly text?: string | undefined }
  | { readonly _tag: "Version"; readonly text?: string | undefined }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> };

/**
 * Validate parsed flags: every problem at once. Reads the secret files (bounded) and
 * `MIRO_CLIENT_SECRET` (through the current `ConfigProvider`). Never fails.
 *
 * @category parsing
 * @since 0.1.0
 */
export const resolveConfig = (input: WatcherInput): Effect.Effect<ConfigResult> =>
  Effect.gen(function* () {
    const problems: Array<string> = [];
    const warnings: Array<string> = [];
    // Read now (it goes through the ConfigProvider), judged only when no file is named.
    const secretEnv = yield* secretConfig("MIRO_CLIENT_SECRET").pipe(
      Effect.map((value) => Result.succeed(Option.getOrUndefined(value))),
      Effect.catch((error) =>
        Effect.succeed(Result.fail(configProblem(error, "MIRO_CLIENT_SECRET"))),
      ),
    );
    const otlpEnvironment = yield* parseOtlpSettings.environment;
    const storeEnv = yield* readStoreEnv;
    return yield* Effect.promise(() =>
      resolveWith(input, secretEnv, otlpEnvironment, storeEnv, problems, warnings),
    );
  });

const resolveWith = async (
  input: WatcherInput,
  secretEnv: Result.Result<Redacted.Redacted<string> | undefined, string>,
  otlpEnvironment: OtlpEnvironment,
  storeEnv: StoreEnv,
  problems: Array<string>,
  warnings: Array<string>,
): Promise<ConfigResult> => {
  const readers = makeReaders(input, problems, warnings);
  const { setting, integer, duration, enabled, readSecretFile } = readers;
  const insecureStorePermissions = enabled("insecure-store-permissions");
  const store = await resolveStore(readers, storeEnv, problems, warnings);
  const port = integer("port", 8720, 0, 65_535);
  const host = setting("host")?.text ?? "127.0.0.1";
  const network = await parseNetworkSettings(host, readers, problems, warnings);
  const interval = duration("interval", 60_000, 50);
  const refreshWindow = duration("refresh-window", 300_000, 0);
  const refreshTokenAge = parseRefreshTokenAge(duration, problems);
  const concurrency = integer("concurrency", 16, 1, 10_000);
  const shutdownTimeout = duration("shutdown-timeout", 4_000, 0);
  const fleetLease = duration("fleet-lease", DEFAULT_FLEET_LEASE_MS, 1_000);
  const leaseSetting = setting("fleet-lease");
  if (leaseSetting !== undefined && fleetLease > MAX_FLEET_LEASE_MS)
    problems.push(`${leaseSetting.from} must be at most 30s, got ${shown(leaseSetting.text)}`);

  const clientId = setting("client-id")?.text;
  const secretFile = setting("client-secret-file");
  let clientSecret: Redacted.Redacted<string> | undefined;
  if (secretFile !== undefined) {
    const text = await readSecretFile(secretFile.from, secretFile.text, "the client secret");
    if (text !== undefined) clientSecret = Redacted.make(text);
  } else if (Result.isFailure(secretEnv)) {
    problems.push(secretEnv.failure);
  } else {
    clientSecret = secretEnv.success;
  }
  if (clientId !== undefined && secretFile === undefined && clientSecret === undefined) {
    problems.push(
      "--client-id needs a client secret: --client-secret-file <file> (or MIRO_CLIENT_SECRET)",
    );
  }
  if (clientId === undefined && clientSecret !== undefined) {
    problems.push("a client secret was given without --client-id (or MIRO_CLIENT_ID)");
  }
  if (clientId === undefined && clientSecret === undefined) {
    warnings.push(
      "no client credentials (--client-id, --client-secret-file): tokens are probed but cannot be refreshed",
    );
  }
  const webhooks = await parseWebhookSettings(
    setting,
    duration,
    (from, text) => readSecretFile(from, text, "the webhook secret"),
    problems,
  );
  const otlp = parseOtlpSettings.endpoint(setting("otlp-endpoint"), otlpEnvironment, problems);
  if (problems.length > 0 || store === undefined) return { _tag: "Invalid", problems };
  return {
    _tag: "Config",
    config: {
      store,
      port,
      host,
      ...network,
      interval,
      refreshWindow,
      ...refreshTokenAge,
      concurrency,
      shutdownTimeout,
      fleetLease,
      clientId,
      clientSecret,
      insecureStorePermissions,
      webhooks,
      otlp,
      warnings,
    },
  };
};
