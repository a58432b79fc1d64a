/**
 * Every `miro-token` command in one place: name, description, examples and options (each with
 * its default). Handlers are thin: they resolve inputs, call the plain typed function of
 * `commands/*.ts` (which tests call without argv), and render its result. Failures propagate
 * to the one top-level handler in `Main.ts`.
 */
import { ExitCode, type MalformedTokenError } from "@miro-token/core";
import { Effect, Option, type Redacted, type Stdio } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import { makeClientLayer } from "./ClientLayer.ts";
import { DEFAULT_EMULATOR_PORT, runEmulator } from "./commands/EmulatorCommand.ts";
import { infoDocument, infoLines, tokenInfo } from "./commands/InfoCommand.ts";
import { revokeDocument, revokeLines, revokeToken } from "./commands/RevokeCommand.ts";
import { ENV } from "./Env.ts";
import { UsageError } from "./Failure.ts";
import { globalFlags } from "./GlobalOptions.ts";
import { printJson, printLines } from "./Output.ts";
import { makeRunContext, type RunContext } from "./RunContext.ts";
import { resolveAccessToken } from "./TokenInput.ts";

/** The version `--version` prints. */
export const CLI_VERSION = "0.1.0";

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

/** `--token-file`, shared by the commands that take one access token. */
const tokenFileFlag = Flag.String("token-file").pipe(
  Flag.optional,
  Flag.withMetavar("path|-"),
  Flag.withDescription(
    `Read the access token from this file, or from stdin with - (default: $${ENV.accessToken})`,
  ),
);

/** A bare `-` argument: the access token comes from stdin. */
const stdinArgument = Argument.String("-").pipe(
  Argument.optional,
  Argument.withDescription("A lone - reads the access token from stdin (default: not given)"),
);

/** The access token of a command: a bare `-`, `--token-file`, else the environment. */
const accessTokenOf = (input: {
  readonly tokenFile: Option.Option<string>;
  readonly stdin: Option.Option<string>;
}): Effect.Effect<Redacted.Redacted<string>, UsageError | MalformedTokenError, Stdio.Stdio> =>
  Effect.gen(function* () {
    if (Option.isSome(input.stdin)) {
      if (input.stdin.value !== "-") {
        return yield* new UsageError({
          reason: "unexpected argument (only a lone - is accepted, to read the token from stdin)",
          hint: "tokens are never accepted on the command line; use MIRO_ACCESS_TOKEN or --token-file",
        });
      }
      if (Option.isSome(input.tokenFile)) {
        return yield* new UsageError({ reason: "give either - or --token-file, not both" });
      }
      return yield* resolveAccessToken("-");
    }
    return yield* resolveAccessToken(Option.getOrUndefined(input.tokenFile));
  });

/** The run context, from the root command's parsed shared flags. */
const context: Effect.Effect<
  RunContext,
  never,
  Stdio.Stdio | Command.CommandContext<"miro-token">
> = Effect.flatMap(root, makeRunContext);

const info = Command.make("info", { tokenFile: tokenFileFlag, stdin: stdinArgument }, (input) =>
  Effect.gen(function* () {
    const ctx = yield* context;
    const { layer } = yield* makeClientLayer(ctx.global, ctx.mode);
    const token = yield* accessTokenOf(input);
    const report = yield* tokenInfo(token).pipe(Effect.provide(layer));
    yield* ctx.mode.json
      ? printJson(infoDocument(report))
      : printLines(infoLines(ctx.mode, report));
  }),
).pipe(
  Command.withShortDescription("Show what Miro knows about a token"),
  Command.withDescription(
    "Show the token's type, user, team, organization, scopes and creator, and the rate-limit headroom Miro reported. Exit 0 when the token is active, 3 when Miro says it is invalid, expired or revoked.",
  ),
  Command.withExamples([
    { command: "MIRO_ACCESS_TOKEN=... miro-token info", description: "Token from the environment" },
    { command: "miro-token info --token-file ~/.miro/token", description: "Token from a file" },
    {
      command: "pass show miro | miro-token info - --json",
      description: "Token on stdin, JSON out",
    },
  ]),
);

const revoke = Command.make(
  "revoke",
  {
    tokenFile: tokenFileFlag,
    stdin: stdinArgument,
    verify: Flag.Boolean("verify").pipe(
      Flag.withDefault(false),
      Flag.withDescription(
        "Probe token info afterwards and fail unless the token is dead (default: false)",
      ),
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const ctx = yield* context;
      const { layer, settings } = yield* makeClientLayer(ctx.global, ctx.mode);
      const token = yield* accessTokenOf(input);
      const report = yield* revokeToken(token, {
        verify: input.verify,
        hasCredentials: settings.clientId !== undefined && settings.hasClientSecret,
      }).pipe(Effect.provide(layer));
      yield* ctx.mode.json
        ? printJson(revokeDocument(report))
        : printLines(revokeLines(ctx.mode, report));
    }),
).pipe(
  Command.withShortDescription("Revoke a token (and its refresh token)"),
  Command.withDescription(
    "Revoke the access token, which also revokes its refresh token. Uses /v2/oauth/revoke when client credentials are configured, else the deprecated v1 endpoint with a warning on stderr. --verify asks token info afterwards and exits 4 if the token still answers.",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_CLIENT_ID=... MIRO_CLIENT_SECRET=... miro-token revoke --token-file token.txt --verify",
      description: "Revoke through v2 and prove the token is dead",
    },
  ]),
);

const emulator = Command.make(
  "emulator",
  {
    port: Flag.Int("port").pipe(
      Flag.withDefault(DEFAULT_EMULATOR_PORT),
      Flag.withDescription(`TCP port; 0 picks a free one (default: ${DEFAULT_EMULATOR_PORT})`),
    ),
    host: Flag.String("host").pipe(
      Flag.withDefault("127.0.0.1"),
      Flag.withDescription("Interface to listen on (default: 127.0.0.1)"),
    ),
    showToken: Flag.Boolean("show-token").pipe(
      Flag.withDefault(false),
      Flag.withDescription(
        "Print the seeded tokens and client secret, not just fingerprints (default: false)",
      ),
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const ctx = yield* context;
      return yield* runEmulator(ctx.mode, input);
    }).pipe(Effect.scoped),
).pipe(
  Command.withShortDescription("Run the local Miro token API emulator"),
  Command.withDescription(
    "Run a local emulator of Miro's token API (token info, revoke v1/v2, token endpoint, authorize) with a seeded app client and token set, until Ctrl+C. Its control API is under /__emulator/.",
  ),
  Command.withExamples([
    { command: "miro-token emulator --port 8710", description: "Listen on http://127.0.0.1:8710" },
    {
      command: "miro-token --base-url http://127.0.0.1:8710 info --token-file token.txt",
      description: "Point any command at it",
    },
  ]),
);

/** The whole command tree. */
export const app = root.pipe(Command.withSubcommands([info, revoke, emulator]));
