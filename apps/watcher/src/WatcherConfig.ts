/**
 * The watcher's configuration: command-line flags, each with an environment variable as its
 * fallback (a flag wins), validated at start. Every problem is reported at once, in plain
 * words, with no stack trace; the caller exits 2. A secret is never accepted on the command
 * line (other users can read it in `/proc/<pid>/cmdline`): the client secret comes from a
 * file (`--client-secret-file`) or from `MIRO_CLIENT_SECRET`, and no message ever quotes it.
 *
 * @since 0.1.0
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Redacted } from "effect";

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
  readonly baseUrl: string;
  /** Probe cadence, milliseconds. */
  readonly interval: number;
  /** Refresh this long before expiry, milliseconds. */
  readonly refreshWindow: number;
  /** Most requests to Miro in flight at once. */
  readonly concurrency: number;
  /** Longest wait for an in-flight refresh at shutdown, milliseconds. */
  readonly shutdownTimeout: number;
  readonly clientId: string | undefined;
  readonly clientSecret: Redacted.Redacted<string> | undefined;
  /** Accept a store another user owns or others can write (store-file's `insecurePermissions`). */
  readonly insecureStorePermissions: boolean;
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
    flag: "interval",
    env: "MIRO_WATCHER_INTERVAL",
    value: "<duration>",
    text: "probe cadence per token, e.g. 60s, 500ms, 2m (default 60s; at least 50ms)",
  },
  {
    flag: "refresh-window",
    env: "MIRO_WATCHER_REFRESH_WINDOW",
    value: "<duration>",
    text: "refresh this long before expiry (default 5m)",
  },
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

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration such as `500ms`, `60s`, `2m`, `1h` (a bare number is seconds), in milliseconds;
 * `undefined` when unreadable.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseDuration = (text: string): number | undefined => {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const millis = Number(match[1]) * UNIT[match[2] ?? "s"]!;
  return Number.isFinite(millis) ? Math.round(millis) : undefined;
};

/** Names of flags that must never carry a value on argv. */
const SECRET_FLAGS = ["client-secret", "token", "access-token", "refresh-token"];

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
 * Parse and validate `argv` (without `node` and the script) with `env` as the fallback.
 * Reads the client secret file. Never throws.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseConfig = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
): ConfigResult => {
  const problems: Array<string> = [];
  for (const arg of argv) {
    const name = optionName(arg).replace(/^-+/, "");
    if (arg.startsWith("--") && SECRET_FLAGS.includes(name)) {
      return {
        _tag: "Invalid",
        problems: [
          `--${name} is refused: secrets on the command line are visible to other users. Use --client-secret-file or the MIRO_CLIENT_SECRET environment variable.`,
        ],
      };
    }
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
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    };
    for (const f of FLAGS) options[f.flag] = { type: f.boolean === true ? "boolean" : "string" };
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
    return fromEnv === undefined || fromEnv === ""
      ? undefined
      : { text: fromEnv, from: spec!.env! };
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
    const millis = parseDuration(s.text);
    if (millis === undefined || millis < min) {
      problems.push(
        `${s.from} must be a duration of at least ${min}ms such as 500ms, 60s or 2m, got ${shown(s.text)}`,
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
      const code = (error as { code?: unknown }).code;
      if (code !== "ENOENT")
        problems.push(`${storeSetting.from}: cannot read ${shown(store)} (${String(code)})`);
    }
  }
  const port = integer("port", 8720, 0, 65_535);
  const host = setting("host")?.text ?? "127.0.0.1";
  const baseUrlSetting = setting("base-url");
  let baseUrl = "https://api.miro.com";
  if (baseUrlSetting !== undefined) {
    const parsed = URL.canParse(baseUrlSetting.text) ? new URL(baseUrlSetting.text) : undefined;
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      problems.push(`${baseUrlSetting.from} must be an http(s) URL such as https://api.miro.com`);
    } else if (parsed.search !== "" || parsed.username !== "" || parsed.password !== "") {
      problems.push(`${baseUrlSetting.from} must not carry a query string or credentials`);
    } else {
      baseUrl = parsed.href.replace(/\/+$/, "");
    }
  }
  const interval = duration("interval", 60_000, 50);
  const refreshWindow = duration("refresh-window", 300_000, 0);
  const concurrency = integer("concurrency", 16, 1, 10_000);
  const shutdownTimeout = duration("shutdown-timeout", 4_000, 0);

  const warnings: Array<string> = [];
  const clientId = setting("client-id")?.text;
  const secretFile = setting("client-secret-file");
  const secretEnv = env.MIRO_CLIENT_SECRET;
  let clientSecret: Redacted.Redacted<string> | undefined;
  if (secretFile !== undefined) {
    const path = resolve(secretFile.text);
    try {
      const mode = statSync(path).mode;
      const text = readFileSync(path, "utf8").replace(/[\r\n]+$/, "");
      if (text === "" || /\s/.test(text)) {
        problems.push(`${secretFile.from}: ${shown(path)} must hold the client secret on one line`);
      } else {
        clientSecret = Redacted.make(text);
      }
      if ((mode & 0o077) !== 0) {
        warnings.push(
          `${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
        );
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      problems.push(`${secretFile.from}: cannot read ${shown(path)} (${String(code ?? "error")})`);
    }
  } else if (secretEnv !== undefined && secretEnv !== "") {
    clientSecret = Redacted.make(secretEnv.trim());
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
  if (problems.length > 0) return { _tag: "Invalid", problems };
  return {
    _tag: "Config",
    config: {
      store,
      port,
      host,
      baseUrl,
      interval,
      refreshWindow,
      concurrency,
      shutdownTimeout,
      clientId,
      clientSecret,
      insecureStorePermissions,
      warnings,
    },
  };
};
