/**
 * Opening a token store directory (`--store <path>`): `@miro-token/store-file`, loaded with
 * `import()` only by the commands that use a store, with the keyring the environment
 * configures (`StoreKeyring.ts`).
 *
 * A store that another user owns or others can write is refused by the store itself; here that
 * refusal becomes a usage error (exit 2) with the store's message, since the fix is the
 * operator's: mend the modes or pass `--insecure-store-permissions` (read from
 * {@link InsecureStorePermissions}, which `CommandKit.ts` sets from the flag). So does a sealed
 * store opened without its keyring.
 */
import type { StoreError, TokenStoreShape } from "@miro-token/core";
import { Context, Effect } from "effect";
import { UsageError } from "./Failure.ts";
import { keyringRefusalAsUsage, storeKeyring } from "./StoreKeyring.ts";

/** Whether `--insecure-store-permissions` was given (the store then accepts such a store). */
export const InsecureStorePermissions = Context.Reference<boolean>(
  "@miro-token/cli/InsecureStorePermissions",
  { defaultValue: () => false },
);

/** Open (and create, mode 0700) the store in `directory`. */
export const openStore = (
  directory: string,
): Effect.Effect<TokenStoreShape, StoreError | UsageError> =>
  Effect.gen(function* () {
    const module = yield* Effect.promise(() => import("@miro-token/store-file"));
    const insecurePermissions = yield* InsecureStorePermissions;
    const keyring = yield* storeKeyring;
    return yield* keyringRefusalAsUsage(
      module.FileTokenStore.make({ directory, insecurePermissions, keyring }),
    ).pipe(
      Effect.catchTag(
        "StoreError",
        (error): Effect.Effect<never, StoreError | UsageError> =>
          Effect.fail(
            error.operation === module.FileTokenStore.PERMISSIONS_OPERATION
              ? new UsageError({ reason: error.reason })
              : error,
          ),
      ),
    );
  });
