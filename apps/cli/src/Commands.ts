/**
 * Every `miro-token` command in one place: name, description, examples and options (each with
 * its default). A handler only hands the parsed options and the run context to the command's
 * plain typed function (`run…` in `commands/*.ts`, loaded on demand for all but `info` and
 * `revoke`); failures propagate to the one top-level handler in `Main.ts`.
 */
import { ExitCode, TOKEN_STATUS_TAGS } from "@miro-token/core";
import { DEFAULT_PORT } from "@miro-token/emulator/default-port";
import { Effect, type Stdio } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import { runInfo } from "./commands/InfoCommand.ts";
import { runRevoke } from "./commands/RevokeCommand.ts";
import { ENV } from "./Env.ts";
import { globalFlags } from "./GlobalOptions.ts";
import { makeRunContext, type RunContext } from "./RunContext.ts";
import { InsecureStorePermissions } from "./StoreAccess.ts";
import { VERSION } from "./version.ts";

/**
 * What only some commands need, loaded by `import()` when they run: `--help`, `info` and
 * `revoke` start without the login server, the watcher, the store, the demo or the emulator.
 */
const load = {
  emulator: () => Effect.promise(() => import("./commands/EmulatorCommand.ts")),
  login: () => Effect.promise(() => import("./commands/LoginCommand.ts")),
  refresh: () => Effect.promise(() => import("./commands/RefreshCommand.ts")),
  store: () => Effect.promise(() => import("./commands/StoreCommand.ts")),
  watch: () => Effect.promise(() => import("./commands/WatchCommand.ts")),
  demo: () => Effect.promise(() => import("./Demo.ts")),
};

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

/** The run context, from the root command's parsed shared flags. */
const context: Effect.Effect<
  RunContext,
  never,
  Stdio.Stdio | Command.CommandContext<"miro-token">
> = Effect.flatMap(root, makeRunContext);

/** A handler: the command's plain typed function, given the run context. */
const run =
  <I, A, E, R>(command: (ctx: RunContext, input: I) => Effect.Effect<A, E, R>) =>
  (input: I) =>
    Effect.flatMap(context, (ctx) =>
      Effect.provideService(
        command(ctx, input),
        InsecureStorePermissions,
        ctx.global.insecureStorePermissions,
      ),
    );

/** A handler whose function lives in a module loaded when the command runs. */
const runLoaded =
  <M, I, A, E, R>(
    loadModule: () => Effect.Effect<M>,
    pick: (module: M) => (ctx: RunContext, input: I) => Effect.Effect<A, E, R>,
  ) =>
  (input: I) =>
    Effect.flatMap(loadModule(), (module) => run(pick(module))(input));

const info = Command.make(
  "info",
  { tokenFile: tokenFileFlag, stdin: stdinArgument },
  run(runInfo),
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
    allowV1Revoke: Flag.Boolean("allow-v1-revoke").pipe(
      Flag.withDefault(false),
      Flag.withDescription(
        "Without client credentials, revoke through the deprecated v1 endpoint, which takes the token in the URL query (default: false)",
      ),
    ),
  },
  run(runRevoke),
).pipe(
  Command.withShortDescription("Revoke a token (and its refresh token)"),
  Command.withDescription(
    "Revoke the access token, which also revokes its refresh token. Uses /v2/oauth/revoke when client credentials are configured; without them it exits 2 unless --allow-v1-revoke, which uses the deprecated v1 endpoint (token in the URL query) with a warning on stderr. --verify asks token info afterwards and exits 4 if the token still answers.",
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
      Flag.withDefault(DEFAULT_PORT),
      Flag.withDescription(`TCP port; 0 picks a free one (default: ${DEFAULT_PORT})`),
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
  run((ctx, input) =>
    Effect.flatMap(load.emulator(), (module) => Effect.scoped(module.runEmulator(ctx.mode, input))),
  ),
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

/** `--store <path>`: a token store directory. */
const storeFlag = Flag.String("store").pipe(
  Flag.withMetavar("path"),
  Flag.withDescription(
    "Token store directory, created with mode 0700 if missing (default: none, required)",
  ),
);

const showTokenFlag = Flag.Boolean("show-token").pipe(
  Flag.withDefault(false),
  Flag.withDescription("Also print the new access token itself (default: false: fingerprint only)"),
);

const refresh = Command.make(
  "refresh",
  {
    store: storeFlag.pipe(
      Flag.optional,
      Flag.withDescription(
        "Token store directory to refresh a token of (default: none; or --token-set)",
      ),
    ),
    id: Flag.String("id").pipe(
      Flag.optional,
      Flag.withDescription("Id of the token in the store (default: the store's only token)"),
    ),
    tokenSet: Flag.String("token-set").pipe(
      Flag.optional,
      Flag.withMetavar("path"),
      Flag.withDescription(
        "A file holding one token set (Miro's token response JSON), rewritten atomically with the new pair (default: none; or --store)",
      ),
    ),
    showToken: showTokenFlag,
  },
  runLoaded(load.refresh, (module) => module.runRefresh),
).pipe(
  Command.withShortDescription("Refresh a stored token with the store protocol"),
  Command.withDescription(
    "Refresh a token: take the store's lock, re-read the entry (someone may have refreshed it), call Miro's token endpoint with client credentials, persist the new pair durably, and only then report it. Miro rotates refresh tokens, so the old pair is dead afterwards. Prints the new expiry and fingerprint, never the token unless --show-token. Exit 4 when Miro rejects the grant (authorize again).",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_CLIENT_ID=... MIRO_CLIENT_SECRET=... miro-token refresh --store ~/.miro-token --id alice",
      description: "Refresh one token of a store",
    },
    {
      command:
        "miro-token refresh --token-set token.json --client-secret-file secret.txt --client-id 3458...",
      description: "Refresh a plain token-set file in place",
    },
  ]),
);

const watch = Command.make(
  "watch",
  {
    tokenFile: tokenFileFlag,
    stdin: stdinArgument,
    store: storeFlag.pipe(
      Flag.optional,
      Flag.withDescription(
        "Watch (and refresh ahead of expiry) every token of this store (default: one token)",
      ),
    ),
    once: Flag.Boolean("once").pipe(
      Flag.withDefault(false),
      Flag.withDescription(
        "Stop after the first status of every token; exit by that state (default: false)",
      ),
    ),
    until: Flag.String("until").pipe(
      Flag.optional,
      Flag.withMetavar("state"),
      Flag.withDescription(
        `Stop with exit 0 when a token reaches this state: ${TOKEN_STATUS_TAGS.join(", ")} (default: none)`,
      ),
    ),
    failIfTtlBelow: Flag.String("fail-if-ttl-below").pipe(
      Flag.optional,
      Flag.withMetavar("duration"),
      Flag.withDescription(
        "Fail (exit 3) as soon as a token's time to expiry is below this (default: none)",
      ),
    ),
    interval: Flag.String("interval").pipe(
      Flag.withDefault("60s"),
      Flag.withMetavar("duration"),
      Flag.withDescription(
        "Probe cadence (jittered; slower when the rate limit runs low) (default: 60s)",
      ),
    ),
    refreshWindow: Flag.String("refresh-window").pipe(
      Flag.withDefault("5m"),
      Flag.withMetavar("duration"),
      Flag.withDescription("With --store: refresh this long before expiry (default: 5m)"),
    ),
  },
  runLoaded(load.watch, (module) => module.runWatchCommand),
).pipe(
  Command.withShortDescription("Follow a token (or a whole store) through its life"),
  Command.withDescription(
    "Probe one token, or watch every token of a store and refresh each ahead of expiry. On a terminal: a live status line (state, time to expiry, next probe, a spinner while a request is in flight). Otherwise, or with --json: one NDJSON event per status change. Ends when a token becomes Invalid, Revoked or ReauthorizeRequired (exit 3, 3, 4), or as --once/--until say.",
  ),
  Command.withExamples([
    { command: "miro-token watch --token-file token.txt", description: "Live status of one token" },
    {
      command: "miro-token watch --store ~/.miro-token --json",
      description: "Keep a store's tokens fresh; NDJSON events",
    },
    {
      command: "miro-token watch --once --fail-if-ttl-below 10m",
      description: "A health check: exit 3 if the token dies within 10 minutes",
    },
  ]),
);

const storeList = Command.make(
  "list",
  { store: storeFlag },
  runLoaded(load.store, (module) => module.runStoreList),
).pipe(
  Command.withShortDescription("List the tokens of a store (never the tokens themselves)"),
  Command.withDescription(
    "Show each stored token's id, fingerprint, generation, expiry and the state its expiry implies (active, expired, non-expiring), and whether it can be refreshed.",
  ),
  Command.withExamples([
    { command: "miro-token store list --store ~/.miro-token", description: "What is stored" },
  ]),
);

const storeAdd = Command.make(
  "add",
  {
    store: storeFlag,
    id: Flag.String("id").pipe(
      Flag.optional,
      Flag.withDescription(
        'Id to store the token under (default: the token set\'s user_id, else "default")',
      ),
    ),
  },
  runLoaded(load.store, (module) => module.runStoreAdd),
).pipe(
  Command.withShortDescription("Add a token set (Miro's token response JSON) from stdin"),
  Command.withDescription(
    "Read one token set from stdin — Miro's token response JSON ({access_token, refresh_token, expires_in, scope, team_id, user_id}) — and store it as generation 1. An existing id is refused.",
  ),
  Command.withExamples([
    {
      command: "miro-token store add --store ~/.miro-token --id alice < token-response.json",
      description: "Store a token response saved from your OAuth callback",
    },
  ]),
);

const storeRemove = Command.make(
  "remove",
  {
    store: storeFlag,
    id: Flag.String("id").pipe(
      Flag.withDescription("Id of the token to remove (default: none, required)"),
    ),
  },
  runLoaded(load.store, (module) => module.runStoreRemove),
).pipe(
  Command.withShortDescription("Remove a token from a store (it is not revoked)"),
  Command.withDescription(
    "Delete a token's entry from the store. The token is not revoked at Miro: run miro-token revoke first if it should die.",
  ),
  Command.withExamples([
    {
      command: "miro-token store remove --store ~/.miro-token --id alice",
      description: "Forget alice's token",
    },
  ]),
);

const store = Command.make("store").pipe(
  Command.withShortDescription("Manage a token store: list, add, remove"),
  Command.withDescription(
    "Manage a token store directory (one 0600 file per token in a 0700 directory, atomic writes, cross-process locks). Tokens are never printed.",
  ),
  Command.withExamples([
    { command: "miro-token store list --store ~/.miro-token", description: "List stored tokens" },
  ]),
  Command.withSubcommands([storeList, storeAdd, storeRemove]),
);

const login = Command.make(
  "login",
  {
    store: storeFlag.pipe(
      Flag.optional,
      Flag.withDescription("Save the token set in this store directory (default: not saved)"),
    ),
    id: Flag.String("id").pipe(
      Flag.optional,
      Flag.withDescription("Id to save the token under (default: the user id Miro returns)"),
    ),
    port: Flag.Int("port").pipe(
      Flag.withDefault(0),
      Flag.withDescription(
        "Loopback port of the redirect URI http://127.0.0.1:<port>/callback; 0 picks a free one (default: 0)",
      ),
    ),
    scope: Flag.String("scope").pipe(
      Flag.optional,
      Flag.withDescription(
        "Scopes to ask for, space or comma separated (default: the app's scopes)",
      ),
    ),
    authorizeUrl: Flag.String("authorize-url").pipe(
      Flag.optional,
      Flag.withMetavar("url"),
      Flag.withDescription(
        "Authorize endpoint (default: https://miro.com/oauth/authorize, or <base-url>/oauth/authorize for another base URL)",
      ),
    ),
    wait: Flag.String("wait").pipe(
      Flag.withDefault("5m"),
      Flag.withMetavar("duration"),
      Flag.withDescription("How long to wait for the browser to come back (default: 5m)"),
    ),
    noBrowser: Flag.Boolean("no-browser").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Only print the authorize URL, never open a browser (default: false)"),
    ),
    showToken: showTokenFlag,
  },
  runLoaded(load.login, (module) => module.runLogin),
).pipe(
  Command.withShortDescription("Authorize the app in a browser and save the token set"),
  Command.withDescription(
    "Run Miro's authorization-code flow on a loopback redirect URI: listen on http://127.0.0.1:<port>/callback, print the authorize URL (and open it on a desktop), check the returned state, exchange the code with the client credentials, and save the token set in the store. Exit 4 when the user denies access, the state does not match, or nobody comes back within --wait.",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_CLIENT_SECRET=... miro-token login --client-id 3458764... --store ~/.miro-token",
      description: "Sign in and keep the tokens in a store",
    },
    {
      command:
        "miro-token --base-url http://127.0.0.1:8710 login --client-id <emulator client> --no-browser",
      description: "Against the emulator (its /oauth/authorize approves at once)",
    },
  ]),
);

const demo = Command.make(
  "demo",
  {
    port: Flag.Int("port").pipe(
      Flag.withDefault(0),
      Flag.withDescription("Port of the embedded emulator; 0 picks a free one (default: 0)"),
    ),
  },
  runLoaded(load.demo, (module) => module.runDemoCommand),
).pipe(
  Command.withShortDescription("Watch one token live its whole life on a local emulator (~5 s)"),
  Command.withDescription(
    "Start an embedded Miro emulator and walk one short-lived token through its whole life: info, a watcher refreshing it (Miro rotates the pair, the old token dies), revoke --verify, the watcher seeing it die, and an idle token expiring on the emulator's clock. No account, network or credentials needed.",
  ),
  Command.withExamples([
    { command: "miro-token demo", description: "The story, for people" },
    { command: "miro-token demo --json", description: "The same as NDJSON events" },
  ]),
);

/** The whole command tree. */
export const app = root.pipe(
  Command.withSubcommands([demo, info, revoke, refresh, watch, login, store, emulator]),
);
