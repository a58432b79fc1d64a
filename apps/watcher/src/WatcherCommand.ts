/**
 * The `miro-token-watcher` command line, read with `effect/cli` in the help style of the
 * `miro-token` CLI: core's argv guard first (a secret, or a store URL with a password, on argv is
 * refused before anything parses it), then effect/cli (unknown options, missing values: worded by core's
 * `describeParseError`, never quoting a value), then `WatcherConfig.ts` (what the values mean,
 * every problem at once). `readCommandLine` prints nothing: the binary prints what it returns,
 * and tests read it (`parseConfig`).
 *
 * @since 0.1.0
 */
import { type ArgvSecretKind, describeArgvSecret, findSecretOnArgv } from "@miro-token/core";
import {
  describeParseError,
  findUrlPasswordOnArgv,
  URL_PASSWORD_HINT,
  URL_PASSWORD_ON_ARGV,
} from "@miro-token/core/internal";
import { ConfigProvider, Effect, FileSystem, Layer, Path, Stdio, Terminal } from "effect";
import { CliConfig, CliError, CliOutput, Command, GlobalFlag } from "effect/cli";
import { ChildProcessSpawner } from "effect/process";
import { VERSION } from "./version.ts";
import { type ConfigResult, resolveConfig } from "./WatcherConfig.ts";
import { watcherFlags } from "./WatcherFlags.ts";

/** What to do instead of putting a secret on the command line. */
const ARGV_SECRET_HINTS: Readonly<Record<ArgvSecretKind, string>> = {
  "client secret": "Use --client-secret-file or the MIRO_CLIENT_SECRET environment variable.",
  "access token": "Tokens come from the token store (--store).",
  "refresh token": "Tokens come from the token store (--store).",
};

const DESCRIPTION = [
  "Keeps every token of a store refreshed ahead of expiry and notices revocations. Status",
  "  changes go to stdout as NDJSON; HTTP serves / (status page), /healthz, /tokens, /events",
  "  (SSE) and /metrics (Prometheus). A flag wins over its environment variable.",
  "",
  "EXIT CODES",
  "  0    stopped by SIGTERM/SIGINT, cleanly",
  "  1    unexpected failure, or the shutdown timeout passed with work in flight",
  "  2    bad configuration (every problem listed), store refused, port in use",
  "  130  a second signal forced the exit",
].join("\n");

/** The parse error of effect/cli as the list of problems. */
const problemsOf = (error: unknown): ReadonlyArray<string> =>
  CliError.isCliError(error) && error._tag === "ShowHelp" && error.errors.length > 0
    ? error.errors.map(describeParseError)
    : ["cannot read the command line"];

/**
 * Read `argv` (without `node` and the script), each flag falling back to the environment of
 * the current `ConfigProvider`. Never fails.
 *
 * @category parsing
 * @since 0.1.0
 */
export const readCommandLine = (
  argv: ReadonlyArray<string>,
): Effect.Effect<ConfigResult, never, Command.Environment> =>
  Effect.gen(function* () {
    const secret = findSecretOnArgv(argv);
    if (secret !== undefined) {
      const problem = `${describeArgvSecret(secret)}. ${ARGV_SECRET_HINTS[secret.kind]}`;
      return { _tag: "Invalid", problems: [problem] } as const;
    }
    if (findUrlPasswordOnArgv(argv) !== undefined) {
      // The hint is the CLI's (core's), sentence-cased like the hints above.
      const hint = URL_PASSWORD_HINT.charAt(0).toUpperCase() + URL_PASSWORD_HINT.slice(1);
      return { _tag: "Invalid", problems: [`${URL_PASSWORD_ON_ARGV}. ${hint}.`] } as const;
    }
    let result: ConfigResult | undefined;
    const formatter = CliOutput.defaultFormatter({ colors: false });
    const presenter: CliOutput.Presenter = {
      present: (event) =>
        Effect.sync(() => {
          if (event._tag === "Help" && event.reason === "Requested")
            result = { _tag: "Help", text: formatter.formatHelpDoc(event.helpDoc) };
          if (event._tag === "Version")
            result = { _tag: "Version", text: `${event.name} ${event.version}` };
        }),
    };
    const command = Command.make("miro-token-watcher", watcherFlags, (input) =>
      Effect.map(resolveConfig(input), (resolved) => {
        result = resolved;
      }),
    ).pipe(
      Command.withDescription(DESCRIPTION),
      Command.withExamples([
        {
          command: "miro-token-watcher --store ./tokens --client-id ID --client-secret-file secret",
          description: "Keep a store's tokens fresh; status page on http://127.0.0.1:8720/",
        },
        {
          command: "PGPASSWORD=… miro-token-watcher --store postgres://watcher@127.0.0.1:5432/miro",
          description: "Watch a PostgreSQL store (migrated with `miro-token store migrate`)",
        },
        {
          command: "MIRO_TOKEN_STORE=./tokens miro-token-watcher --port 0 --interval 30s",
          description: "Probe only (no client credentials), on a free port",
        },
      ]),
    );
    const failed = yield* Command.runWith(command, { version: VERSION, renderErrors: false })(
      argv,
    ).pipe(
      Effect.as(undefined),
      Effect.catch((error: unknown) => Effect.succeed(problemsOf(error))),
      Effect.provideService(CliOutput.Presenter, presenter),
      Effect.provideService(
        CliConfig.CliConfig,
        CliConfig.make({ builtIns: [GlobalFlag.Help, GlobalFlag.Version] }),
      ),
    );
    if (failed !== undefined) return { _tag: "Invalid", problems: failed } as const;
    return result ?? ({ _tag: "Invalid", problems: problemsOf(undefined) } as const);
  });

/**
 * What effect/cli needs from the process to parse (it reads no file, spawns nothing and
 * prompts for nothing here): stubs, and the path service.
 *
 * @category layers
 * @since 0.1.0
 */
export const commandLineEnvironment: Layer.Layer<Command.Environment> = Layer.mergeAll(
  Path.layer,
  FileSystem.layerNoop({}),
  Stdio.layerTest({}),
  Layer.succeed(
    Terminal.Terminal,
    Terminal.make({
      columns: Effect.succeed(80),
      rows: Effect.succeed(24),
      size: Effect.die("miro-token-watcher: no terminal"),
      readInput: Effect.die("miro-token-watcher: no terminal"),
      readLine: Effect.die("miro-token-watcher: no terminal"),
      display: () => Effect.void,
    }),
  ),
  Layer.succeed(
    ChildProcessSpawner.ChildProcessSpawner,
    ChildProcessSpawner.make(() => Effect.die("miro-token-watcher: no child processes")),
  ),
);

/**
 * {@link readCommandLine} with `env` as the environment, as a promise (tests, and the
 * shared-rules test that holds the CLI and the watcher to the same answers).
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseConfig = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ConfigResult> =>
  Effect.runPromise(
    readCommandLine(argv).pipe(
      Effect.provide(commandLineEnvironment),
      Effect.provide(
        ConfigProvider.layer(ConfigProvider.fromEnv({ env: env as Record<string, string> })),
      ),
    ),
  );
