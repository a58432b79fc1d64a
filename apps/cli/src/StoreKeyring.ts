/**
 * The store keyring of a CLI run: `MIRO_TOKEN_STORE_KEYS_FILE` and/or `MIRO_TOKEN_STORE_KEYS`
 * (read through the run's `ConfigProvider`, like every variable), parsed by
 * `@miro-token/store-file/crypto` (loaded only by the commands that open a store). Keys are
 * never taken from argv. A keyring that cannot be used, and a sealed store opened without one,
 * are usage errors (exit 2) naming fields and key ids only.
 */
import type { StoreError } from "@miro-token/core";
import type { Keyring } from "@miro-token/store-file/crypto";
import { Effect, Option } from "effect";
import { envVar } from "./Env.ts";
import { UsageError } from "./Failure.ts";

const crypto = () => Effect.promise(() => import("@miro-token/store-file/crypto"));

/** The configured keyring, `undefined` when none is. */
export const storeKeyring: Effect.Effect<Keyring | undefined, UsageError> = Effect.gen(
  function* () {
    const module = yield* crypto();
    const env = {
      [module.KEYS_FILE_ENV]: yield* envVar(module.KEYS_FILE_ENV),
      [module.KEYS_ENV]: yield* envVar(module.KEYS_ENV),
    };
    const keyring = yield* module
      .keyringFromEnv(env)
      .pipe(Effect.mapError((error) => new UsageError({ reason: error.reason })));
    return Option.getOrUndefined(keyring);
  },
);

/** A sealed store opened without a keyring, as the usage error it is. */
export const keyringRefusalAsUsage = <A, R>(
  effect: Effect.Effect<A, StoreError, R>,
): Effect.Effect<A, StoreError | UsageError, R> =>
  Effect.flatMap(crypto(), (module) =>
    effect.pipe(
      Effect.catchTag("StoreError", (error) =>
        Effect.fail(
          module.isKeyringRequired(error) ? new UsageError({ reason: error.reason }) : error,
        ),
      ),
    ),
  );
