/**
 * The root `miro-token` command: the shared flags, the top-level help (token input,
 * environment, exit codes) and its examples. Every subcommand reads its run context from it
 * (`CommandKit.ts`); the tree is assembled in `Commands.ts`.
 */
import { ExitCode } from "@miro-token/core";
import { Command } from "effect/cli";
import { ENV } from "./Env.ts";
import { globalFlags } from "./GlobalOptions.ts";
import { VERSION } from "./version.ts";

/** The version `--version` prints: package.json's, generated into `version.ts` (scripts/versions.ts). */
export const CLI_VERSION: string = VERSION;

/** The exit codes, as `--help` and the README list them. */
export const EXIT_CODES_HELP = [
  "EXIT CODES",
  `  ${ExitCode.Ok}    ok; the token is active`,
  `  ${ExitCode.Unexpected}    unexpected failure (a bug, an undocumented response)`,
  `  ${ExitCode.Usage}    usage error: bad flag, missing or malformed token, token on argv`,
  `  ${ExitCode.TokenInvalid}    the token is invalid, revoked or expired`,
  `  ${ExitCode.Rejected}    Miro rejected the request: revoke, grant or client authentication`,
  `  ${ExitCode.Unavailable}    Miro unavailable after retries: network, timeout, 5xx, 429`,
  `  ${ExitCode.Interrupted}  interrupted (Ctrl+C, SIGTERM)`,
].join("\n");

const TOKEN_INPUTS_HELP = [
  "TOKEN INPUT",
  `  $${ENV.accessToken}, --token-file <path>, or --token-file - (stdin); one trailing`,
  "  newline is stripped. A token on the command line (--token=...) is refused.",
].join("\n");

/** The root command: shared flags only. */
export const root = Command.make("miro-token").pipe(
  Command.withDescription(
    [
      "Check, refresh, watch and revoke Miro OAuth access tokens. Tokens are shown only as\n  fingerprints (first 8 hex digits of their SHA-256).",
      "",
      TOKEN_INPUTS_HELP,
      "",
      "ENVIRONMENT",
      `  ${ENV.accessToken}, ${ENV.baseUrl}, ${ENV.clientId}, ${ENV.clientSecret}, ${ENV.noColor}`,
      "",
      EXIT_CODES_HELP,
    ].join("\n"),
  ),
  Command.withSharedFlags(globalFlags),
  Command.withExamples([
    {
      command: "miro-token demo",
      description: "Walk a token through its whole life on a local emulator",
    },
    { command: "MIRO_ACCESS_TOKEN=... miro-token info", description: "Is this token alive?" },
    {
      command: "miro-token info --token-file token.txt --json",
      description: "The same, for scripts",
    },
  ]),
);
