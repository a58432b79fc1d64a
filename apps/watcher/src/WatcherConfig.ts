/**
 * The watcher's configuration: command-line flags, each with an environment variable as its
 * fallback (a flag wins), validated at start. Every problem is reported at once, in plain
 * words, with no stack trace; the caller exits 2. A secret is never accepted on the command
 * line (other users can read it in `/proc/<pid>/cmdline`): the client secret comes from a
 * file (`--client-secret-file`) or from `MIRO_CLIENT_SECRET`, and no message ever quotes it.
 *
 * The rules are the toolkit's shared ones, the same the `miro-token` CLI applies: core's argv
 * guard (`findSecretOnArgv`), duration grammar (`parseDuration`), secret text rule
 * (`secretFromText`: 64 KiB cap, one trailing newline stripped) and environment cap, and the
 * bounded file reader of `@miro-token/store-file/files` (a regular file, at most cap + 1
 * bytes: `/dev/zero`, a FIFO or a directory is refused at once).
 *
 * @since 0.1.0
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  type ArgvSecretKind,
  describeArgvSecret,
  findSecretOnArgv,
  isOverSecretCap,
  MAX_SECRET_INPUT_BYTES,
  parseDurationMillis,
  secretFromText,
} from "@miro-token/core";
import { errnoCode, readFileInput } from "@miro-token/store-file/files";
import { Effect, Redacted, Result } from "effect";
import { parseNetworkSettings } from "./NetworkSettings.ts";
import { parseRefreshTokenAge, REFRESH_TOKEN_AGE_FLAGS } from "./RefreshTokenAgeSettings.ts";
import { parseWebhookSettings, WEBHOOK_FLAGS } from "./webhooks/WebhookConfig.ts";
import type { WebhookOptions } from "./webhooks/Webhooks.ts";

/**
 * A validated configuration.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatcherConfig {
  /** Absolute path of the token store directory. */
  readonly store: string;
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
  /** Longest wait for an in-flight refresh at shutdown, milliseconds. */
  readonly shutdownTimeout: number;
  readonly clientId: string | undefined;
  readonly clientSecret: Redacted.Redacted<string> | undefined;
  /** Accept a store another user owns or others can write (store-file's `insecurePermissions`). */
  readonly insecureStorePermissions: boolean;
  /** Signed webhooks, when `--webhook-url` is set. */
  readonly webhooks: WebhookOptions | undefined;
  /** Things worth saying on stderr at start (not errors). */
  readonly warnings: ReadonlyArray<string>;
}

/**
 * What parsing produced: a configuration, a request for help or the version, or the list of
 * problems.
 *
 * @category models
 * @since 0.1.0
 */
export type ConfigResult =
  | { readonly _tag: "Config"; readonly config: WatcherConfig }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Version" }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> };

interface FlagSpec {
  readonly flag: string;
  readonly env: string | undefined;
  readonly value: string;
  readonly text: string;
  /** A switch: no value on the command line; its variable is on when `1`, `true` or `yes`. */
  readonly boolean?: true;
  /** May repeat on the command line; its variable is comma-separated. */
  readonly multiple?: true;
}

/**
 * Every flag, its environment variable and its help text (the source of `--help` and of the
 * README's table).
 *
 * @category constants
 * @since 0.1.0
 */
export const FLAGS: ReadonlyArray<FlagSpec> = [
  {
    flag: "store",
    env: "MIRO_TOKEN_STORE",
    value: "<dir>",
    text: "token store directory (store-file; created 0700). Required",
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
];

/**
 * The `--help` text.
 *
 * @category constants
 * @since 0.1.0
 */
export const USAGE = (() => {
  const left = FLAGS.map((f) => `  --${f.flag} ${f.value}`.trimEnd());
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = FLAGS.map(
    (f, i) => `${left[i]!.padEnd(width)}${f.text}\n${" ".repeat(width)}env ${f.env}`,
  );
  return `Usage: miro-token-watcher --store <dir> [--port N] [--base-url URL] [--interval D]
                          [--client-id ID --client-secret-file F] [options]

Keeps every token of a store refreshed ahead of expiry and notices revocations. Status
changes go to stdout as NDJSON; HTTP serves / (status page), /healthz, /tokens, /events
(SSE) and /metrics (Prometheus).

Options (a flag wins over its environment variable):
${lines.join("\n")}
${"  -h, --help".padEnd(width)}show this help
${"  --version".padEnd(width)}print the version

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 unexpected failure, 2 bad configuration.
`;
})();

/** What to do instead of putting a secret on the command line. */
const ARGV_SECRET_HINTS: Readonly<Record<ArgvSecretKind, string>> = {
  "client secret": "Use --client-secret-file or the MIRO_CLIENT_SECRET environment variable.",
  "access token": "Tokens come from the token store (--store).",
  "refresh token": "Tokens come from the token store (--store).",
};

/**
 * A value as an error message may quote it: not when it could be a secret pasted into the
 * wrong flag (a long unbroken run of token characters, or Miro's `eyJ` prefix).
 */
const shown = (value: string): string =>
  /eyJ|[A-Za-z0-9_-]{20,}/.test(value) || value.length > 60
    ? `a value of ${value.length} characters (not shown: it could be a secret)`
    : `"${value}"`;

/** The option part of an argv entry, without any `=value` (which may be a secret). */
const optionName = (arg: string): string => arg.replace(/=.*$/s, "");

/**
 * A file named by a setting, read by the shared bounded reader: its text, or the problem (an
 * errno code, `not a regular file`, `larger than 65536 bytes`).
 */
const readSettingFile = (path: string): Promise<Result.Result<string, string>> =>
  Effect.runPromise(
    readFileInput(path).pipe(
      Effect.map((text) => Result.succeed(text)),
      Effect.catch((error) => Effect.succeed(Result.fail(error.reason))),
    ),
  );

/** The permission bits of a file just read, for the "readable by others" warning. */
const modeOf = (path: string): number | undefined => {
  try {
    return statSync(path).mode;
  } catch {
    return undefined;
  }
};

/**
 * Parse and validate `argv` (without `node` and the script) with `env` as the fallback.
 * Reads the client secret file (bounded). Never rejects.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseConfig = async (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ConfigResult> => {
  const problems: Array<string> = [];
  const secretOnArgv = findSecretOnArgv(argv);
  if (secretOnArgv !== undefined) {
    return {
      _tag: "Invalid",
      problems: [`${describeArgvSecret(secretOnArgv)}. ${ARGV_SECRET_HINTS[secretOnArgv.kind]}`],
    };
  }
  const known = new Set([...FLAGS.map((f) => f.flag), "help", "version"]);
  for (const arg of argv) {
    if (arg === "-h" || arg === "--") continue;
    if (arg.startsWith("-") && !known.has(optionName(arg).replace(/^-+/, ""))) {
      return {
        _tag: "Invalid",
        problems: [`unknown option ${optionName(arg)} (see --help)`],
      };
    }
  }
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    const options: Record<
      string,
      { type: "string" | "boolean"; short?: string; multiple?: boolean }
    > = {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    };
    for (const f of FLAGS)
      options[f.flag] = {
        type: f.boolean === true ? "boolean" : "string",
        ...(f.multiple === true ? { multiple: true } : {}),
      };
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message =
      code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE"
        ? "an option is missing its value (see --help)"
        : code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
          ? "unexpected argument: every setting is a --flag (see --help)"
          : "cannot read the command line (see --help)";
    return { _tag: "Invalid", problems: [message] };
  }
  if (values.help === true) return { _tag: "Help" };
  if (values.version === true) return { _tag: "Version" };

  const setting = (flag: string): { readonly text: string; readonly from: string } | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === "string") return { text: fromFlag, from: `--${flag}` };
    const spec = FLAGS.find((f) => f.flag === flag);
    const fromEnv = spec?.env === undefined ? undefined : env[spec.env];
    if (fromEnv === undefined || fromEnv === "") return undefined;
    if (isOverSecretCap(fromEnv)) {
      problems.push(`${spec!.env!} is larger than ${MAX_SECRET_INPUT_BYTES} bytes`);
      return undefined;
    }
    return { text: fromEnv, from: spec!.env! };
  };
  const integer = (flag: string, fallback: number, min: number, max: number): number => {
    const s = setting(flag);
    if (s === undefined) return fallback;
    const n = Number(s.text);
    if (!/^\d+$/.test(s.text.trim()) || n < min || n > max) {
      problems.push(`${s.from} must be a whole number from ${min} to ${max}, got ${shown(s.text)}`);
      return fallback;
    }
    return n;
  };
  const duration = (flag: string, fallback: number, min: number): number => {
    const s = setting(flag);
    if (s === undefined) return fallback;
    const millis = parseDurationMillis(s.text);
    if (millis === undefined || millis < min) {
      problems.push(
        `${s.from} must be a duration of at least ${min}ms such as 500ms, 60s or 1m30s, got ${shown(s.text)}`,
      );
      return fallback;
    }
    return millis;
  };

  const enabled = (flag: string): boolean => {
    if (values[flag] === true) return true;
    const variable = FLAGS.find((f) => f.flag === flag)?.env;
    return /^(1|true|yes)$/i.test((variable === undefined ? undefined : env[variable]) ?? "");
  };
  const insecureStorePermissions = enabled("insecure-store-permissions");

  const storeSetting = setting("store");
  let store = "";
  if (storeSetting === undefined) {
    problems.push("--store <dir> is required (or MIRO_TOKEN_STORE): the token store directory");
  } else {
    store = resolve(storeSetting.text);
    try {
      if (!statSync(store).isDirectory())
        problems.push(`${storeSetting.from}: ${shown(store)} is not a directory`);
    } catch (error) {
      const code = errnoCode(error);
      if (code !== "ENOENT")
        problems.push(`${storeSetting.from}: cannot read ${shown(store)} (${code ?? "error"})`);
    }
  }
  const port = integer("port", 8720, 0, 65_535);
  const host = setting("host")?.text ?? "127.0.0.1";
  const warnings: Array<string> = [];
  const network = await parseNetworkSettings(
    host,
    { values, setting, enabled, env, readFile: readSettingFile },
    problems,
    warnings,
  );
  const interval = duration("interval", 60_000, 50);
  const refreshWindow = duration("refresh-window", 300_000, 0);
  const refreshTokenAge = parseRefreshTokenAge(duration, problems);
  const concurrency = integer("concurrency", 16, 1, 10_000);
  const shutdownTimeout = duration("shutdown-timeout", 4_000, 0);

  const clientId = setting("client-id")?.text;
  const secretFile = setting("client-secret-file");
  const secretEnv = env.MIRO_CLIENT_SECRET;
  /** A secret file's text by the shared rules (problems and warnings pushed); never quoted. */
  const readSecretFile = async (
    from: string,
    text: string,
    what: string,
  ): Promise<string | undefined> => {
    const path = resolve(text);
    const read = await readSettingFile(path);
    if (Result.isFailure(read)) {
      problems.push(`${from}: cannot read ${shown(path)} (${read.failure})`);
      return undefined;
    }
    const mode = modeOf(path);
    if (mode !== undefined && (mode & 0o077) !== 0) {
      warnings.push(
        `${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    const secret = secretFromText(read.success);
    if (Result.isFailure(secret)) {
      problems.push(`${from}: ${what} in ${shown(path)} ${secret.failure}`);
      return undefined;
    }
    return secret.success;
  };
  let clientSecret: Redacted.Redacted<string> | undefined;
  if (secretFile !== undefined) {
    const text = await readSecretFile(secretFile.from, secretFile.text, "the client secret");
    if (text !== undefined) clientSecret = Redacted.make(text);
  } else if (secretEnv !== undefined && secretEnv !== "") {
    const secret = secretFromText(secretEnv);
    if (Result.isFailure(secret)) {
      problems.push(`MIRO_CLIENT_SECRET ${secret.failure}`);
    } else {
      clientSecret = Redacted.make(secret.success);
    }
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
  if (problems.length > 0) return { _tag: "Invalid", problems };
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
      clientId,
      clientSecret,
      insecureStorePermissions,
      webhooks,
      warnings,
    },
  };
};
