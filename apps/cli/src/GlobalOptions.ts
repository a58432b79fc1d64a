/**
 * The options every command shares (`--json`, `--verbose`, `--base-url`,
 * `--allow-insecure-http`, `--transport`,
 * `--timeout`, `--retries`, client credentials), declared once as `effect/cli` flags and
 * accepted before or after the command name. Each description ends with its default.
 */

import type { Option } from "effect";
import { Flag } from "effect/cli";
import { GLOBAL_DEFAULTS, TRANSPORTS, type TransportName } from "./GlobalDefaults.ts";

export { GLOBAL_DEFAULTS, TRANSPORTS, type TransportName } from "./GlobalDefaults.ts";

/** The shared flags, for `Command.withSharedFlags`. */
export const globalFlags = {
  json: Flag.Boolean("json").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Print exactly one JSON document on stdout (NDJSON for watch), also on failure (default: false)",
    ),
  ),
  verbose: Flag.Boolean("verbose").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Diagnostics on stderr; tokens show only as fingerprints (default: false)",
    ),
  ),
  debug: Flag.Boolean("debug").pipe(
    Flag.withDefault(false),
    Flag.withDescription("Show stack traces of unexpected failures on stderr (default: false)"),
  ),
  baseUrl: Flag.String("base-url").pipe(
    Flag.optional,
    Flag.withMetavar("url"),
    Flag.withDescription(
      `Miro API base URL (default: $MIRO_API_BASE_URL, else ${GLOBAL_DEFAULTS.baseUrl})`,
    ),
  ),
  allowInsecureHttp: Flag.Boolean("allow-insecure-http").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Allow a plain http: --base-url to a non-loopback host; tokens and the client secret then travel in clear (default: false, only https: or loopback http:)",
    ),
  ),
  transport: Flag.Literals("transport", TRANSPORTS).pipe(
    Flag.withDefault(GLOBAL_DEFAULTS.transport),
    Flag.withDescription(
      `HTTP client: node (node:http keep-alive), undici (undici keep-alive pool), fetch (Node's fetch) or ky (default: ${GLOBAL_DEFAULTS.transport})`,
    ),
  ),
  timeout: Flag.String("timeout").pipe(
    Flag.withDefault(GLOBAL_DEFAULTS.timeout),
    Flag.withMetavar("duration"),
    Flag.withDescription(
      `Timeout per HTTP attempt, e.g. 500ms, 10s, 1m (default: ${GLOBAL_DEFAULTS.timeout})`,
    ),
  ),
  retries: Flag.Int("retries").pipe(
    Flag.withDefault(GLOBAL_DEFAULTS.retries),
    Flag.withDescription(
      `Retries after a network error, timeout, 429 or 5xx; each operation caps its own (default: ${GLOBAL_DEFAULTS.retries})`,
    ),
  ),
  clientId: Flag.String("client-id").pipe(
    Flag.optional,
    Flag.withMetavar("id"),
    Flag.withDescription("OAuth app client id (default: $MIRO_CLIENT_ID)"),
  ),
  clientSecretFile: Flag.String("client-secret-file").pipe(
    Flag.optional,
    Flag.withMetavar("path"),
    Flag.withDescription("File holding the OAuth app client secret (default: $MIRO_CLIENT_SECRET)"),
  ),
  insecureStorePermissions: Flag.Boolean("insecure-store-permissions").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Accept a --store directory or token file that another user owns or others can write, instead of refusing it (exit 2) (default: false)",
    ),
  ),
};

/** The parsed shared options. */
export interface GlobalOptions {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly debug: boolean;
  readonly baseUrl: Option.Option<string>;
  /** `--allow-insecure-http` (absent: false). */
  readonly allowInsecureHttp?: boolean | undefined;
  readonly transport: TransportName;
  readonly timeout: string;
  readonly retries: number;
  readonly clientId: Option.Option<string>;
  readonly clientSecretFile: Option.Option<string>;
  readonly insecureStorePermissions: boolean;
}
