/**
 * Environment variables, read through Effect's `ConfigProvider` so tests hand each run its own
 * environment (`ConfigProvider.fromEnv({ env })`) instead of mutating `process.env`.
 */
import { Config, Effect, Option } from "effect";

/** The variables the CLI reads, in one place for the help text and the README. */
export const ENV = {
  accessToken: "MIRO_ACCESS_TOKEN",
  baseUrl: "MIRO_API_BASE_URL",
  clientId: "MIRO_CLIENT_ID",
  clientSecret: "MIRO_CLIENT_SECRET",
  noColor: "NO_COLOR",
} as const;

/** The value of an environment variable, `undefined` when unset or empty. */
export const envVar = (name: string): Effect.Effect<string | undefined> =>
  Config.option(Config.String(name)).pipe(
    Effect.map(Option.getOrUndefined),
    Effect.map((value) => (value === "" ? undefined : value)),
    Effect.orElseSucceed(() => undefined),
  );
