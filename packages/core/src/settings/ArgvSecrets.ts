/**
 * The one argv guard of the toolkit: whatever is on argv shows up in `ps`,
 * `/proc/<pid>/cmdline` and shell history, so a secret passed as a flag (`--token=…`,
 * `--client-secret …`) or a bare Miro-shaped token anywhere on the command line is refused
 * before anything parses it. The CLI and the watcher both ask {@link findSecretOnArgv} (before,
 * the CLI knew six flags and token shapes, the watcher four flags) and word the refusal with
 * their own hint. The finding names the flag, never the value.
 *
 * @since 0.1.0
 */
import { PGPASSWORD_ENV, STORE_URL_ENV } from "./StoreUrl.ts";

/**
 * Which kind of secret a refused argument was meant to carry, for the hint.
 *
 * @category models
 * @since 0.1.0
 */
export type ArgvSecretKind = "access token" | "refresh token" | "client secret";

/**
 * Flags people reach for to pass a secret, none of which exists in either app, and what each
 * would carry.
 *
 * @category constants
 * @since 0.1.0
 */
export const SECRET_FLAGS: ReadonlyMap<string, ArgvSecretKind> = new Map([
  ["--token", "access token"],
  ["--access-token", "access token"],
  ["--bearer", "access token"],
  ["--refresh-token", "refresh token"],
  ["--client-secret", "client secret"],
  ["--secret", "client secret"],
]);

/** Every Miro token starts with base64url of `{"miro.origin":`. */
const MIRO_TOKEN_SHAPE = /eyJtaXJvLm9yaWdpbi/;

/**
 * A secret found on argv: the flag that would carry it (lower-cased, without `=value`), or
 * an argument shaped like a Miro token.
 *
 * @category models
 * @since 0.1.0
 */
export type ArgvSecret =
  | { readonly _tag: "SecretFlag"; readonly flag: string; readonly kind: ArgvSecretKind }
  | { readonly _tag: "TokenShaped"; readonly kind: "access token" };

/**
 * The common reason of every refusal (each app adds a hint).
 *
 * @category constants
 * @since 0.1.0
 */
export const ARGV_SECRET_REASON =
  "secrets are never accepted on the command line (they end up in ps and shell history)";

/**
 * The first secret on `argv` (without `node` and the script), or `undefined` when there is
 * none. Arguments after `--` are checked too: they are still on the command line.
 *
 * @category validation
 * @since 0.1.0
 */
export const findSecretOnArgv = (argv: ReadonlyArray<string>): ArgvSecret | undefined => {
  for (const arg of argv) {
    if (arg.startsWith("--")) {
      const flag = (arg.split("=", 1)[0] ?? arg).toLowerCase();
      const kind = SECRET_FLAGS.get(flag);
      if (kind !== undefined) return { _tag: "SecretFlag", flag, kind };
    }
    if (MIRO_TOKEN_SHAPE.test(arg)) return { _tag: "TokenShaped", kind: "access token" };
  }
  return undefined;
};

/**
 * What a refusal says before its hint: `--token is not an option: secrets are never …`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const describeArgvSecret = (found: ArgvSecret): string =>
  `${found._tag === "SecretFlag" ? `${found.flag} is not an option` : "an argument looks like a Miro token"}: ${ARGV_SECRET_REASON}`;

/** `postgres://user:password@` — a store URL carrying a password in its user info. */
const URL_WITH_PASSWORD = /postgres(?:ql)?:\/\/[^/?#@\s]*:[^/?#@\s]*@/i;
/** `?password=` or `&password=` in a store URL's query. */
const URL_PASSWORD_PARAM = /postgres(?:ql)?:\/\/[^\s]*[?&]password=/i;

/**
 * The URL password rule of the argv guard: the position (0-based) of the first argument on
 * `argv` holding a store URL with a password (`postgres://user:secret@host/db`,
 * `…?password=…`), or `undefined`. (Credentials in `--base-url` are the base URL rule's.) Like a token, it would show in `ps` and shell history; the apps refuse it
 * with exit 2 and point at `PGPASSWORD`, `MIRO_TOKEN_STORE_URL` or `--store-url-file`.
 *
 * @category validation
 * @since 0.3.0
 */
export const findUrlPasswordOnArgv = (argv: ReadonlyArray<string>): number | undefined => {
  const index = argv.findIndex(
    (arg) => URL_WITH_PASSWORD.test(arg) || URL_PASSWORD_PARAM.test(arg),
  );
  return index === -1 ? undefined : index;
};

/**
 * What a refusal of a URL password on argv says before its hint.
 *
 * @category constants
 * @since 0.3.0
 */
export const URL_PASSWORD_ON_ARGV = `an argument is a URL with a password: ${ARGV_SECRET_REASON}`;

/**
 * Where a store URL's password goes instead of argv: the hint both apps give after
 * {@link URL_PASSWORD_ON_ARGV}.
 *
 * @category constants
 * @since 0.3.0
 */
export const URL_PASSWORD_HINT = `give --store the URL without its password and put the password in ${PGPASSWORD_ENV}, or put the whole URL in ${STORE_URL_ENV} or in a file named by --store-url-file`;
