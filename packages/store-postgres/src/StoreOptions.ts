/**
 * How to reach the database and how the store behaves: the URL (`sslmode` in its query picks
 * TLS), an optional password kept apart from it, pool size, statement and connect timeouts,
 * lease timing. `publicTarget` is the only form of the URL that may be shown anywhere.
 *
 * @since 0.1.0
 */
import type { PgPoolConfig } from "@effect/sql-pg/PgClient";
import { urlPasswordOf, urlWithoutPassword } from "@miro-token/core/internal";
import type { Keyring } from "@miro-token/store-file/crypto";
import { Duration, Redacted } from "effect";
import type { LeaseOptions } from "./LeaseLock.ts";
import type { ReconnectOptions } from "./PostgresChanges.ts";

/**
 * @category models
 * @since 0.1.0
 */
export interface PostgresStoreOptions {
  /**
   * `postgres://user[:password]@host:port/database?sslmode=require`. `sslmode` is one of
   * `disable`, `prefer`, `allow`, `require`, `verify-ca`, `verify-full` (the last three
   * require TLS and verify the certificate).
   */
  readonly url: Redacted.Redacted<string>;
  /** A password from elsewhere (`PGPASSWORD`, a file); wins over one in the URL. */
  readonly password?: Redacted.Redacted<string> | undefined;
  /** Pool size. @default 10 */
  readonly maxConnections?: number | undefined;
  /** Server-side `statement_timeout` for every statement. @default 10 seconds */
  readonly statementTimeout?: Duration.Input | undefined;
  /** How long opening one connection may take. @default 5 seconds */
  readonly connectTimeout?: Duration.Input | undefined;
  /** `application_name` shown in `pg_stat_activity`. @default "miro-token" */
  readonly applicationName?: string | undefined;
  /** How the change listener (`changes`) reconnects after a lost connection. */
  readonly reconnect?: ReconnectOptions | undefined;
  /** Lease timing for `withLock`. */
  readonly lease?: LeaseOptions | undefined;
  /**
   * Seal every token set written under the keyring's current key, and open sealed rows (see
   * `keyringFromEnv` in `@miro-token/store-file/crypto`). Default: plaintext rows; a table
   * holding sealed rows is refused.
   */
  readonly keyring?: Keyring | undefined;
}

/**
 * The URL with any password removed (and `password=` query parameters dropped): what errors
 * and messages may name. Core's store URL rule (`urlWithoutPassword`).
 *
 * @category options
 * @since 0.1.0
 */
export const publicTarget = (url: Redacted.Redacted<string>): string =>
  urlWithoutPassword(Redacted.value(url));

/**
 * The URL's password, when it has one (for scrubbing it from error text).
 *
 * @category options
 * @since 0.1.0
 */
export const urlPassword = (
  url: Redacted.Redacted<string>,
): Redacted.Redacted<string> | undefined => {
  const password = urlPasswordOf(Redacted.value(url));
  return password === undefined ? undefined : Redacted.make(password);
};

/**
 * The driver's pool configuration for `options`.
 *
 * @category options
 * @since 0.1.0
 */
export const poolConfigOf = (options: PostgresStoreOptions): PgPoolConfig => ({
  url: options.url,
  ...(options.password === undefined ? {} : { password: options.password }),
  maxConnections: options.maxConnections ?? 10,
  connectTimeout: options.connectTimeout ?? "5 seconds",
  applicationName: options.applicationName ?? "miro-token",
  startupParameters: {
    statement_timeout: String(
      Math.round(Duration.toMillis(options.statementTimeout ?? "10 seconds")),
    ),
  },
});
