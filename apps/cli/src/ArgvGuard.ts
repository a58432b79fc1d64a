/**
 * Refuses secrets on the command line before anything parses it, by core's one argv guard
 * (`findSecretOnArgv`, shared with the watcher): a secret flag (`--token=…`, `--client-secret
 * …`), a bare Miro-shaped token or a URL with a password (`postgres://u:pw@…`) is refused with
 * exit code 2 and a hint. The refusal names the flag, never the value.
 */
import { type ArgvSecretKind, describeArgvSecret, findSecretOnArgv } from "@miro-token/core";
import {
  findUrlPasswordOnArgv,
  URL_PASSWORD_HINT,
  URL_PASSWORD_ON_ARGV,
} from "@miro-token/core/internal";
import { UsageError } from "./Failure.ts";

/** Where a token may come from instead, for hints. */
export const TOKEN_INPUT_HINT =
  "pass the access token in MIRO_ACCESS_TOKEN, with --token-file <path>, or on stdin with --token-file -";

const HINTS: Readonly<Record<ArgvSecretKind, string>> = {
  "access token": TOKEN_INPUT_HINT,
  "refresh token": "keep refresh tokens in a token store (--store) or a token-set file",
  "client secret":
    "put the client secret in MIRO_CLIENT_SECRET or in a file named by --client-secret-file",
};

/**
 * The refusal for the first secret found on `argv`, or `undefined` when there is none.
 */
export const refuseSecretsOnArgv = (argv: ReadonlyArray<string>): UsageError | undefined => {
  const found = findSecretOnArgv(argv);
  if (found !== undefined) {
    return new UsageError({ reason: describeArgvSecret(found), hint: HINTS[found.kind] });
  }
  return findUrlPasswordOnArgv(argv) === undefined
    ? undefined
    : new UsageError({ reason: URL_PASSWORD_ON_ARGV, hint: URL_PASSWORD_HINT });
};

/** Whether the run asked for JSON output (read before parsing, so usage errors honour it). */
export const jsonRequested = (argv: ReadonlyArray<string>): boolean => {
  let json = false;
  for (const arg of argv) {
    if (arg === "--") break;
    if (arg === "--json" || arg === "--json=true") json = true;
    if (arg === "--json=false") json = false;
  }
  return json;
};

/** Whether the run asked for stack traces of unexpected failures. */
export const debugRequested = (argv: ReadonlyArray<string>): boolean =>
  argv.some((arg) => arg === "--debug" || arg === "--debug=true");
