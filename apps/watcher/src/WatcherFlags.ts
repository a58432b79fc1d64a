/**
 * The watcher's flags: one table (`FLAGS`: flag, environment variable, value name, help text),
 * the source of `--help` and of the README's table, turned into `effect/cli` flags. Each flag
 * falls back to its environment variable through core's shared `settingConfig` (empty is
 * unset, at most 64 KiB: the rule `MiroConfig.layerConfig` and the CLI apply), so effect/cli
 * parses argv (unknown options, missing values) and the settings module reads the environment;
 * what a value means is checked after, by `WatcherConfig.ts`, with every problem listed at once.
 *
 * Every flag yields the text it was given and where it came from (`--port` or
 * `MIRO_WATCHER_PORT`), so a problem names the source the user has to fix.
 *
 * @since 0.1.0
 */
import { settingConfig } from "@miro-token/core";
import { Config, Option } from "effect";
import { Flag } from "effect/cli";
import { REFRESH_TOKEN_AGE_FLAGS } from "./RefreshTokenAgeSettings.ts";
import { WEBHOOK_FLAGS } from "./webhooks/WebhookConfig.ts";

/**
 * One row of the flag table.
 *
 * @category models
 * @since 0.1.0
 */
export interface FlagSpec {
  readonly flag: string;
  /** The variable it falls back to; none for `--store-url-file` (the URL's own variable is
   * `MIRO_TOKEN_STORE_URL`, read by `StoreSetting.ts`, as in the CLI). */
  readonly env?: string | undefined;
  /** The value's name in help (`<dir>`); empty for a switch. */
  readonly value: string;
  readonly text: string;
  /** A switch: no value on the command line; its variable is on when `1`, `true` or `yes`. */
  readonly boolean?: true;
  /** May repeat on the command line; its variable is comma-separated. */
  readonly multiple?: true;
}

/**
 * Every flag, its environment variable and its help text.
 *
 * @category constants
 * @since 0.1.0
 */
export const FLAGS: ReadonlyArray<FlagSpec> = [
  {
    flag: "store",
    env: "MIRO_TOKEN_STORE",
    value: "<path|url>",
    text: "token store: a directory (created 0700), a file: URL or postgres://user@host:port/db?sslmode=… without a password (that comes from PGPASSWORD, MIRO_TOKEN_STORE_URL or --store-url-file). Required, unless --store-url-file or MIRO_TOKEN_STORE_URL names the store",
  },
  {
    flag: "store-url-file",
    value: "<file>",
    text: "file holding the store URL, which may carry a password (instead of --store)",
  },
  {
    flag: "fleet-lease",
    env: "MIRO_WATCHER_FLEET_LEASE",
    value: "<duration>",
    text: "PostgreSQL store only: how long a replica's membership and token ownership last unrenewed; a killed replica's tokens are taken over after this, and a token given back on a rebalance is claimable after this (default 20s; 1s to 30s)",
  },
  {
    flag: "port",
    env: "MIRO_WATCHER_PORT",
    value: "<n>",
    text: "HTTP port (default 8720; 0 picks a free one, printed at start)",
  },
  {
    flag: "host",
    env: "MIRO_WATCHER_HOST",
    value: "<addr>",
    text: "interface to listen on (default 127.0.0.1)",
  },
  {
    flag: "base-url",
    env: "MIRO_API_BASE_URL",
    value: "<url>",
    text: "Miro API base URL (default https://api.miro.com)",
  },
  {
    flag: "allow-insecure-http",
    env: "MIRO_ALLOW_INSECURE_HTTP",
    value: "",
    text: "allow a plain http: --base-url to a non-loopback host (secrets travel in clear; warns)",
    boolean: true,
  },
  {
    flag: "allowed-host",
    env: "MIRO_WATCHER_ALLOWED_HOSTS",
    value: "<name>",
    text: "a Host the HTTP surface answers besides loopback names and --host (repeatable; others get 421)",
    multiple: true,
  },
  {
    flag: "http-token-file",
    env: "MIRO_WATCHER_HTTP_TOKEN_FILE",
    value: "<file>",
    text: "file holding the HTTP access token (Authorization: Bearer); required when --host is not loopback",
  },
  {
    flag: "interval",
    env: "MIRO_WATCHER_INTERVAL",
    value: "<duration>",
    text: "probe cadence per token, e.g. 60s, 500ms, 1m30s (default 60s; at least 50ms)",
  },
  {
    flag: "refresh-window",
    env: "MIRO_WATCHER_REFRESH_WINDOW",
    value: "<duration>",
    text: "refresh this long before expiry (default 5m)",
  },
  ...REFRESH_TOKEN_AGE_FLAGS,
  {
    flag: "concurrency",
    env: "MIRO_WATCHER_CONCURRENCY",
    value: "<n>",
    text: "most requests to Miro in flight at once (default 16)",
  },
  {
    flag: "client-id",
    env: "MIRO_CLIENT_ID",
    value: "<id>",
    text: "app client id (needed to refresh)",
  },
  {
    flag: "client-secret-file",
    env: "MIRO_CLIENT_SECRET_FILE",
    value: "<file>",
    text: "file holding the app client secret (or env MIRO_CLIENT_SECRET; never a flag)",
  },
  {
    flag: "shutdown-timeout",
    env: "MIRO_WATCHER_SHUTDOWN_TIMEOUT",
    value: "<duration>",
    text: "on SIGTERM/SIGINT, longest wait for an in-flight refresh (default 4s)",
  },
  {
    flag: "insecure-store-permissions",
    env: "MIRO_WATCHER_INSECURE_STORE_PERMISSIONS",
    value: "",
    text: "accept a store directory or token file another user owns or others can write (refused by default)",
    boolean: true,
  },
  ...WEBHOOK_FLAGS,
  {
    flag: "otlp-endpoint",
    env: "OTEL_EXPORTER_OTLP_ENDPOINT",
    value: "<url>",
    text: "export spans and metrics over OTLP/HTTP to this collector (/v1/traces, /v1/metrics; default off); an API key goes in OTEL_EXPORTER_OTLP_HEADERS (name=value,…; https: or loopback only)",
  },
];

/**
 * A setting's text and where it came from: `--port` or `MIRO_WATCHER_PORT`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Setting {
  readonly text: string;
  readonly from: string;
}

/**
 * What effect/cli hands the command: each flag's setting, by flag name (`None`: not given).
 *
 * @category models
 * @since 0.1.0
 */
export type WatcherInput = Readonly<Record<string, Option.Option<Setting>>>;

/** The variable of `spec` by core's rule, as a setting that names the variable. */
const fromEnv = (spec: FlagSpec): Config.Config<Option.Option<Setting>> => {
  const env = spec.env;
  return env === undefined
    ? Config.succeed(Option.none())
    : settingConfig(env).pipe(Config.map(Option.map((text): Setting => ({ text, from: env }))));
};

const described = <A>(spec: FlagSpec, flag: Flag.Flag<A>): Flag.Flag<A> =>
  flag.pipe(
    Flag.withDescription(spec.env === undefined ? spec.text : `${spec.text}; env ${spec.env}`),
  );

/** One row as an effect/cli flag: the command line first, then the environment. */
const flagOf = (spec: FlagSpec): Flag.Flag<Option.Option<Setting>> => {
  const from = `--${spec.flag}`;
  if (spec.boolean === true) {
    return described(
      spec,
      Flag.Boolean(spec.flag).pipe(
        Flag.map((on) => (on ? Option.some({ text: "true", from }) : Option.none())),
        Flag.withFallbackConfig(fromEnv(spec)),
      ),
    );
  }
  const metavar = spec.value.replace(/^<|>$/g, "");
  if (spec.multiple === true) {
    // Repeated on the command line, comma-separated in the environment: one text either way.
    return described(
      spec,
      Flag.String(spec.flag).pipe(
        Flag.atLeast(1),
        Flag.map((values) => Option.some({ text: values.join(","), from })),
        Flag.withFallbackConfig(fromEnv(spec)),
        Flag.withMetavar(metavar),
      ),
    );
  }
  return described(
    spec,
    Flag.String(spec.flag).pipe(
      Flag.map((text) => Option.some({ text, from })),
      Flag.withFallbackConfig(fromEnv(spec)),
      Flag.withMetavar(metavar),
    ),
  );
};

/**
 * The flags, for `Command.make`.
 *
 * @category constants
 * @since 0.1.0
 */
export const watcherFlags: Readonly<Record<string, Flag.Flag<Option.Option<Setting>>>> =
  Object.fromEntries(FLAGS.map((spec) => [spec.flag, flagOf(spec)]));
