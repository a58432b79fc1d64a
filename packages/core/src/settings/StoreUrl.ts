/**
 * The one rule for choosing a token store, shared by the CLI and the watcher: a `--store`
 * value (or a URL from `MIRO_TOKEN_STORE_URL` or a file) is a directory path or a `file:` URL
 * (the file store, the default) or a `postgres://` / `postgresql://` URL (the PostgreSQL
 * store). Pure: reading the variable and the file is each app's job; what the text means, which
 * source wins, where the password may come from and which query parameters tune the pool are
 * decided here, once.
 *
 * A password may come from the URL only when the URL came from the environment or a file;
 * on argv it is refused (see `findUrlPasswordOnArgv`). `PGPASSWORD` supplies it otherwise.
 *
 * @since 0.3.0
 */
import { Redacted, Result } from "effect";
import { parseDurationMillis } from "./DurationText.ts";
import { secretFromText } from "./SecretText.ts";

/**
 * The variable holding a whole store URL (it may carry a password).
 *
 * @category constants
 * @since 0.3.0
 */
export const STORE_URL_ENV = "MIRO_TOKEN_STORE_URL";

/**
 * libpq's password variable, read when the URL has no password.
 *
 * @category constants
 * @since 0.3.0
 */
export const PGPASSWORD_ENV = "PGPASSWORD";

/**
 * The `sslmode` values a PostgreSQL URL may carry.
 *
 * @category constants
 * @since 0.3.0
 */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/**
 * A PostgreSQL store: the URL for the driver (it may hold a password), the URL without any
 * password (the only form shown anywhere), a password from elsewhere, and the pool settings
 * read from the URL's query (`pool_max`, `statement_timeout`, `connect_timeout`).
 *
 * @category models
 * @since 0.3.0
 */
export interface PostgresSelection {
  readonly _tag: "Postgres";
  readonly url: Redacted.Redacted<string>;
  readonly target: string;
  readonly password?: Redacted.Redacted<string> | undefined;
  readonly maxConnections?: number | undefined;
  readonly statementTimeoutMs?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
}

/**
 * Which store to open.
 *
 * @category models
 * @since 0.3.0
 */
export type StoreSelection =
  | { readonly _tag: "File"; readonly directory: string }
  | PostgresSelection;

/**
 * Where a store text came from: a password in the URL is refused on `argv`.
 *
 * @category models
 * @since 0.3.0
 */
export type StoreTextSource = "argv" | "env" | "file";

/**
 * A URL without its password (user info and `password=` query parameter): the only form of a
 * store URL that may be shown. Unparseable text gives a fixed placeholder.
 *
 * @category formatting
 * @since 0.3.0
 */
export const urlWithoutPassword = (text: string): string => {
  try {
    const url = new URL(text);
    url.password = "";
    url.searchParams.delete("password");
    return url.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
};

/**
 * The password a URL carries (user info, else a `password=` query parameter), decoded, or
 * `undefined`.
 *
 * @category parsing
 * @since 0.3.0
 */
export const urlPasswordOf = (text: string): string | undefined => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.password !== "") {
    try {
      return decodeURIComponent(url.password);
    } catch {
      return url.password;
    }
  }
  return url.searchParams.get("password") || undefined;
};

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const POSTGRES_SCHEMES = new Set(["postgres", "postgresql"]);
const MAX_POOL = 1000;

const postgresOf = (
  text: string,
  source: StoreTextSource,
): Result.Result<PostgresSelection, string> => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return Result.fail("is not a valid postgres:// URL");
  }
  if (url.hostname === "" && !url.searchParams.has("host")) {
    return Result.fail("names no host (postgres://user@host:port/database)");
  }
  if (urlPasswordOf(text) !== undefined && source === "argv") {
    return Result.fail(
      `holds a password, which is never accepted on the command line: put it in ${PGPASSWORD_ENV}, or the whole URL in ${STORE_URL_ENV} or a file named by --store-url-file`,
    );
  }
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    return Result.fail(`has sslmode=${sslmode.slice(0, 20)}; use one of ${SSL_MODES.join(", ")}`);
  }
  const settings: {
    maxConnections?: number;
    statementTimeoutMs?: number;
    connectTimeoutMs?: number;
  } = {};
  const pool = url.searchParams.get("pool_max");
  if (pool !== null) {
    const n = Number(pool);
    if (!/^\d+$/.test(pool) || n < 1 || n > MAX_POOL) {
      return Result.fail(`has pool_max=${pool.slice(0, 20)}; use a whole number 1-${MAX_POOL}`);
    }
    settings.maxConnections = n;
  }
  const statement = url.searchParams.get("statement_timeout");
  if (statement !== null) {
    const ms = /^\d+(\.\d+)?$/.test(statement.trim()) ? undefined : parseDurationMillis(statement);
    if (ms === undefined || ms <= 0) {
      return Result.fail(
        `has statement_timeout=${statement.slice(0, 20)}; use a duration with a unit, e.g. 10s or 500ms`,
      );
    }
    settings.statementTimeoutMs = ms;
  }
  const connect = url.searchParams.get("connect_timeout");
  if (connect !== null) {
    if (!/^\d+$/.test(connect) || Number(connect) < 1) {
      return Result.fail(`has connect_timeout=${connect.slice(0, 20)}; use whole seconds >= 1`);
    }
    settings.connectTimeoutMs = Number(connect) * 1_000;
  }
  return Result.succeed({
    _tag: "Postgres",
    url: Redacted.make(text),
    target: urlWithoutPassword(text),
    ...settings,
  });
};

/**
 * What a store text selects, or why it selects nothing (a fixed phrase that never quotes a
 * password). A `file:` URL or anything without a scheme is a directory; `postgres://` and
 * `postgresql://` pick PostgreSQL; any other `scheme://` is refused.
 *
 * @example
 * parseStoreSelection("~/.miro-token", "argv")             // File
 * parseStoreSelection("postgres://watcher@db/miro", "argv") // Postgres
 * parseStoreSelection("postgres://w:pw@db/miro", "argv")    // refused: a password on argv
 *
 * @category parsing
 * @since 0.3.0
 */
export const parseStoreSelection = (
  text: string,
  source: StoreTextSource,
): Result.Result<StoreSelection, string> => {
  if (text === "") return Result.fail("is empty");
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  // A one-letter "scheme" is a Windows drive (C:\tokens), not a URL.
  if (scheme === undefined || scheme.length === 1) {
    return Result.succeed({ _tag: "File", directory: text });
  }
  if (scheme === "file") {
    try {
      const url = new URL(text);
      if (url.host !== "") return Result.fail("is a file: URL with a host; use file:///path");
      return Result.succeed({ _tag: "File", directory: decodeURIComponent(url.pathname) });
    } catch {
      return Result.fail("is not a valid file: URL");
    }
  }
  if (POSTGRES_SCHEMES.has(scheme)) return postgresOf(text, source);
  if (!text.slice(scheme.length + 1).startsWith("//")) {
    return Result.succeed({ _tag: "File", directory: text });
  }
  return Result.fail(
    `has the unsupported scheme ${scheme}:; use a directory, a file: URL or postgres://`,
  );
};

/**
 * The raw inputs an app read: `--store`, the text of `--store-url-file`, `MIRO_TOKEN_STORE_URL`
 * and `PGPASSWORD` (each `undefined` when absent or empty).
 *
 * @category models
 * @since 0.3.0
 */
export interface StoreInputs {
  readonly flag?: string | undefined;
  readonly urlFileText?: string | undefined;
  readonly envUrl?: string | undefined;
  readonly pgPassword?: string | undefined;
}

/**
 * The store the inputs select, `undefined` when none names one, or the problem (naming the
 * input, never its value). `--store` and `--store-url-file` exclude each other and win over
 * `MIRO_TOKEN_STORE_URL`. A URL file's text is cleaned like a secret (one trailing newline).
 * `PGPASSWORD` is used when the URL has no password of its own (as libpq does).
 *
 * @category parsing
 * @since 0.3.0
 */
export const selectStore = (
  inputs: StoreInputs,
): Result.Result<StoreSelection | undefined, string> => {
  if (inputs.flag !== undefined && inputs.urlFileText !== undefined) {
    return Result.fail("give either --store or --store-url-file, not both");
  }
  let picked: { text: string; source: StoreTextSource; name: string } | undefined;
  if (inputs.flag !== undefined) picked = { text: inputs.flag, source: "argv", name: "--store" };
  else if (inputs.urlFileText !== undefined) {
    const cleaned = secretFromText(inputs.urlFileText);
    if (Result.isFailure(cleaned)) {
      return Result.fail(`the file given to --store-url-file ${cleaned.failure}`);
    }
    picked = { text: cleaned.success, source: "file", name: "the file given to --store-url-file" };
  } else if (inputs.envUrl !== undefined) {
    picked = { text: inputs.envUrl, source: "env", name: STORE_URL_ENV };
  }
  if (picked === undefined) return Result.succeed(undefined);
  const { name } = picked;
  const selection = parseStoreSelection(picked.text, picked.source);
  if (Result.isFailure(selection)) return Result.fail(`${name} ${selection.failure}`);
  if (selection.success._tag === "File" || inputs.pgPassword === undefined) return selection;
  if (urlPasswordOf(Redacted.value(selection.success.url)) !== undefined) return selection;
  const password = secretFromText(inputs.pgPassword);
  if (Result.isFailure(password)) return Result.fail(`${PGPASSWORD_ENV} ${password.failure}`);
  return Result.succeed({ ...selection.success, password: Redacted.make(password.success) });
};
