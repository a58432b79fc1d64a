/**
 * Refuses secrets on the command line before anything parses it. Whatever is on argv shows up
 * in `ps`, `/proc/<pid>/cmdline` and shell history, so a token or secret passed as a flag
 * (`--token=…`, `--access-token …`, `--client-secret …`) or as a bare Miro-shaped token is
 * refused with exit code 2 and a hint. The refusal names the flag, never the value.
 */
import { UsageError } from "./Failure.ts";

/** Flags people reach for to pass a secret, none of which exists. */
const SECRET_FLAGS: ReadonlySet<string> = new Set([
  "--token",
  "--access-token",
  "--refresh-token",
  "--client-secret",
  "--secret",
  "--bearer",
]);

/** Every Miro token starts with base64url of `{"miro.origin":` */
const MIRO_TOKEN_SHAPE = /eyJtaXJvLm9yaWdpbi/;

/** Where a token may come from instead, for hints. */
export const TOKEN_INPUT_HINT =
  "pass the access token in MIRO_ACCESS_TOKEN, with --token-file <path>, or on stdin with --token-file -";

const refusal = (what: string, hint: string): UsageError =>
  new UsageError({
    reason: `${what}: secrets are never accepted on the command line (they end up in ps and shell history)`,
    hint,
  });

const hintFor = (flag: string): string =>
  flag === "--client-secret" || flag === "--secret"
    ? "put the client secret in MIRO_CLIENT_SECRET or in a file named by --client-secret-file"
    : flag === "--refresh-token"
      ? "keep refresh tokens in a token store (--store) or a token-set file"
      : TOKEN_INPUT_HINT;

/**
 * The refusal for the first secret found on `argv`, or `undefined` when there is none.
 * Arguments after `--` are checked too: they are still on the command line.
 */
export const refuseSecretsOnArgv = (argv: ReadonlyArray<string>): UsageError | undefined => {
  for (const arg of argv) {
    const name = arg.startsWith("--") ? (arg.split("=", 1)[0] ?? arg).toLowerCase() : undefined;
    if (name !== undefined && SECRET_FLAGS.has(name)) {
      return refusal(`${name} is not an option`, hintFor(name));
    }
    if (MIRO_TOKEN_SHAPE.test(arg)) {
      return refusal("an argument looks like a Miro token", TOKEN_INPUT_HINT);
    }
  }
  return undefined;
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
