/**
 * Environment variables as Effect `Config`s, with the toolkit's one rule for them: an empty
 * value counts as unset, a value over {@link MAX_SECRET_INPUT_BYTES} is refused (environment
 * values get the same cap as files), and a secret is cleaned and checked by
 * {@link secretFromText} (one trailing newline stripped, no trimming, sendable in a header).
 * `MiroConfig.layerConfig` reads `MIRO_API_BASE_URL`, `MIRO_CLIENT_ID` and
 * `MIRO_CLIENT_SECRET` through these; the apps apply the same functions to what they read.
 *
 * @since 0.1.0
 */
import { Config, ConfigProvider, Effect, Option, Redacted, Result } from "effect";
import { isOverSecretCap, MAX_SECRET_INPUT_BYTES, secretFromText } from "./SecretText.ts";

const refuse = (name: string, reason: string) =>
  Effect.fail(
    new Config.ConfigError(new ConfigProvider.SourceError({ message: `${name} ${reason}` })),
  );

/**
 * An optional setting: `None` when unset or empty; a value over the cap fails (the message
 * names the variable, never the value).
 *
 * @category config
 * @since 0.1.0
 */
export const settingConfig = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.String(name)).pipe(
    Config.mapEffect(
      (value): Effect.Effect<Option.Option<string>, Config.ConfigError> =>
        Option.isNone(value) || value.value === ""
          ? Effect.succeedNone
          : isOverSecretCap(value.value)
            ? refuse(name, `is larger than ${MAX_SECRET_INPUT_BYTES} bytes`)
            : Effect.succeed(value),
    ),
  );

/**
 * An optional secret: `None` when unset or empty; otherwise cleaned and checked by
 * {@link secretFromText}, failing with a message that names the variable and the problem.
 *
 * @category config
 * @since 0.1.0
 */
export const secretConfig = (
  name: string,
): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  Config.option(Config.String(name)).pipe(
    Config.mapEffect(
      (value): Effect.Effect<Option.Option<Redacted.Redacted<string>>, Config.ConfigError> => {
        if (Option.isNone(value) || value.value === "") return Effect.succeedNone;
        const secret = secretFromText(value.value);
        return Result.isFailure(secret)
          ? refuse(name, secret.failure)
          : Effect.succeed(Option.some(Redacted.make(secret.success)));
      },
    ),
  );
