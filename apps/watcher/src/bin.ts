/**
 * The `miro-token-watcher` command, run by `NodeRuntime.runMain`: read the command line (exit 2
 * with every problem listed, no stack trace), choose the store (`StoreSelection.ts`), then hold
 * the `Watcher` layer until SIGTERM or SIGINT interrupts the program; releasing the layer is
 * the graceful shutdown (exit 0; 1 when the in-flight work had to be abandoned). A second
 * signal (a second apart from the first) exits at once with 130: the store stays valid either
 * way, store writes being atomic.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime";
import { processExitCode } from "@miro-token/core/internal";
import { Cause, ConfigProvider, Context, Effect, Exit, Layer } from "effect";
import { openWatcherStore } from "./StoreSelection.ts";
import { Watcher, type WatcherShape } from "./Watcher.ts";
import { commandLineEnvironment, readCommandLine } from "./WatcherCommand.ts";
import type { WatcherConfig } from "./WatcherConfig.ts";
import { capYoungGeneration, WATCHER_SEMI_SPACE_MB } from "./YoungGeneration.ts";

const say = (text: string) =>
  Effect.sync(() => process.stderr.write(`miro-token-watcher: ${text}\n`));

// One Ctrl-C or `kill` can arrive twice (to the process group and forwarded by the launcher):
// a repeat within a second is the same request. A later one forces the exit. (runMain's own
// listener interrupts the program on the first.)
let running: WatcherShape | undefined;
let stoppingSince: number | undefined;
const onSignal = (signal: NodeJS.Signals) => {
  if (stoppingSince !== undefined) {
    if (Date.now() - stoppingSince < 1_000) return;
    process.stderr.write(`miro-token-watcher: ${signal} again, exiting now\n`);
    process.exit(130);
  }
  stoppingSince = Date.now();
  running?.stopping(signal);
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);

// A reader that goes away (`miro-token-watcher | head`) must not crash the watcher: drop the
// log from then on and keep serving HTTP.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

/** Run the watcher for `config` until interrupted; 2 when it cannot start. */
const serve = (config: WatcherConfig) =>
  Effect.gen(function* () {
    // V8 would grow the young generation to 128 MB of RSS (see YoungGeneration.ts).
    capYoungGeneration(WATCHER_SEMI_SPACE_MB);
    // A PostgreSQL store joins its fleet here, in this scope: left (every token given back at
    // once) only after the Watcher layer below is released, so after the watch has stopped.
    const { store, fleet } = yield* openWatcherStore(config, process.env);
    for (const warning of config.warnings) yield* say(`warning: ${warning}`);
    const watcher = yield* Layer.build(
      Watcher.layer({
        store,
        fleet,
        miro: {
          baseUrl: config.baseUrl,
          allowInsecureHttp: config.allowInsecureHttp,
          clientId: config.clientId,
          clientSecret: config.clientSecret,
        },
        watch: {
          interval: config.interval,
          refreshWindow: config.refreshWindow,
          refreshTokenLifetime: config.refreshTokenLifetime,
          refreshTokenMargin: config.refreshTokenMargin,
          concurrency: config.concurrency,
        },
        port: config.port,
        host: config.host,
        access: { allowedHosts: config.allowedHosts, token: config.httpToken },
        shutdownTimeout: config.shutdownTimeout,
        webhooks: config.webhooks,
        otlp: config.otlp,
      }),
    ).pipe(Effect.map((context) => Context.get(context, Watcher)));
    running = watcher;
    yield* say(`listening on ${watcher.url}`);
    return yield* Effect.never;
  }).pipe(
    Effect.scoped,
    Effect.catchTags({
      StoreSelectionError: (error) => Effect.as(say(`bad configuration\n  - ${error.reason}`), 2),
      WatcherStartError: (error) => Effect.as(say(error.message), 2),
    }),
  );

const main = Effect.gen(function* () {
  const parsed = yield* readCommandLine(process.argv.slice(2)).pipe(
    Effect.provide(commandLineEnvironment),
  );
  switch (parsed._tag) {
    case "Help":
    case "Version":
      yield* Effect.sync(() => process.stdout.write(`${parsed.text ?? ""}\n`));
      return 0;
    case "Invalid":
      yield* Effect.sync(() =>
        process.stderr.write(
          `miro-token-watcher: bad configuration\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n(see --help)\n`,
        ),
      );
      return 2;
    case "Config":
      return yield* serve(parsed.config);
  }
});

main.pipe(
  Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv())),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => {
      // Interrupted by a signal: 0 after a clean shutdown, 1 when the watch was abandoned.
      const code = processExitCode(exit, () => (running?.outcome()?.clean === false ? 1 : 0));
      if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause))
        process.stderr.write("miro-token-watcher: unexpected failure\n");
      onExit(code);
    },
  }),
);
