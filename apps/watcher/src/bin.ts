/**
 * The `miro-token-watcher` command: parse and validate the configuration (exit 2 with the
 * problems listed, no stack trace), open the store, start the watcher, and shut it down
 * gracefully on SIGTERM or SIGINT (exit 0; 1 when the in-flight work had to be abandoned).
 * A second signal (a second apart from the first) exits at once: the store stays valid either
 * way, store-file writes being atomic.
 *
 * @since 0.1.0
 */
import { FileTokenStore } from "@miro-token/store-file";
import { keyringFromEnv } from "@miro-token/store-file/crypto";
import { Effect, Option } from "effect";
import { VERSION } from "./version.ts";
import { startWatcher, WatcherStartError } from "./Watcher.ts";
import { parseConfig, USAGE } from "./WatcherConfig.ts";

/**
 * The version printed by `--version`: package.json's, generated into `version.ts`
 * (scripts/versions.ts).
 *
 * @category constants
 * @since 0.1.0
 */
export const WATCHER_VERSION: string = VERSION;

const parsed = await parseConfig(process.argv.slice(2), process.env);
if (parsed._tag === "Help") {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (parsed._tag === "Version") {
  process.stdout.write(`miro-token-watcher ${WATCHER_VERSION}\n`);
  process.exit(0);
}
if (parsed._tag === "Invalid") {
  process.stderr.write(
    `miro-token-watcher: bad configuration\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n(see --help)\n`,
  );
  process.exit(2);
}

// A reader that goes away (`miro-token-watcher | head`) must not crash the watcher: drop the
// log from then on and keep serving HTTP.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

const { config } = parsed;
// The store keyring (MIRO_TOKEN_STORE_KEYS_FILE / MIRO_TOKEN_STORE_KEYS; never argv).
const keyring = await Effect.runPromise(
  keyringFromEnv(process.env).pipe(
    Effect.map(Option.getOrUndefined),
    Effect.catchTag("KeyringError", (error) =>
      Effect.sync(() => {
        process.stderr.write(`miro-token-watcher: bad configuration\n  - ${error.reason}\n`);
        return process.exit(2);
      }),
    ),
  ),
);
for (const warning of config.warnings)
  process.stderr.write(`miro-token-watcher: warning: ${warning}\n`);

try {
  const watcher = await startWatcher({
    store: FileTokenStore.layer({
      directory: config.store,
      insecurePermissions: config.insecureStorePermissions,
      keyring,
    }),
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
  });
  process.stderr.write(`miro-token-watcher: listening on ${watcher.url}\n`);
  // One Ctrl-C or `kill` can arrive twice (to the process group and forwarded by the
  // launcher): a repeat within a second is the same request. A later one forces the exit.
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1_000) return;
      process.stderr.write(`miro-token-watcher: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    // Exit explicitly: after the shutdown timeout an abandoned refresh must not keep the
    // process alive (the store stays valid: its writes are atomic).
    void watcher.close(signal).then(({ clean }) => process.exit(clean ? 0 : 1));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} catch (error) {
  const message =
    error instanceof WatcherStartError ? error.message : "unexpected failure at start";
  process.stderr.write(`miro-token-watcher: ${message}\n`);
  process.exit(error instanceof WatcherStartError ? 2 : 1);
}
