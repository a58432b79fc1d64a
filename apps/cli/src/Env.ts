/**
 * Environment variables, read through Effect's `ConfigProvider` so tests hand each run its own
 * environment (`ConfigProvider.fromEnv({ env })`) instead of mutating `process.env`, and by
 * core's one rule for them (`settingConfig`: empty is unset, at most 64 KiB, shared with core's
 * `MiroConfig.layerConfig` and the watcher). Secrets from the environment are checked by
 * `TokenInput.ts`.
 */
import { settingConfig } from "@miro-token/core";
import { ConfigProvider, Effect, Option } from "effect";
import { UsageError } from "./Failure.ts";

/** The variables the CLI reads, in one place for the help text and the README. */
export const ENV = {
  accessToken: "MIRO_ACCESS_TOKEN",
  baseUrl: "MIRO_API_BASE_URL",
  clientId: "MIRO_CLIENT_ID",
  clientSecret: "MIRO_CLIENT_SECRET",
  noColor: "NO_COLOR",
} as const;

/**
 * The value of an environment variable, `undefined` when unset or empty; a value over the cap
 * is a usage error naming the variable (never the value).
 */
export const envVar = (name: string): Effect.Effect<string | undefined, UsageError> =>
  settingConfig(name).pipe(
    Effect.map(Option.getOrUndefined),
    Effect.mapError(
      (error) =>
        new UsageError({
          reason:
            error.cause instanceof ConfigProvider.SourceError
              ? error.cause.message
              : `cannot read ${name}`,
        }),
    ),
  );

/** Whether a flag-like variable (`NO_COLOR`) is set; an unreadable one counts as unset. */
export const envFlag = (name: string): Effect.Effect<boolean> =>
  Effect.orElseSucceed(
    Effect.map(envVar(name), (value) => value !== undefined),
    () => false,
  );
