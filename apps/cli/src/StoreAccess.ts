/**
 * Opening the token store a run names: `--store <path|url>` or `--store-url-file <path>` (and,
 * where a command needs a store, `MIRO_TOKEN_STORE_URL`), chosen by core's one selection rule
 * (`selectStore`, shared with the watcher): a directory or `file:` URL is
 * `@miro-token/store-file`, `postgres://` is `@miro-token/store-postgres`; the password comes
 * from `PGPASSWORD`, the URL in the variable or the file, never argv (`ArgvGuard.ts`). The
 * store modules are loaded with `import()` only by the commands that use a store, with the
 * keyring the environment configures (`StoreKeyring.ts`); a PostgreSQL pool lives as long as
 * the command's scope.
 *
 * A store directory that another user owns or others can write is refused by the store itself;
 * here that refusal becomes a usage error (exit 2) with the store's message, since the fix is
 * the operator's: mend the modes or pass `--insecure-store-permissions` (read from
 * {@link InsecureStorePermissions}, which `RunContext.ts` sets from the flag). So does a sealed
 * store opened without its keyring, and a refused store setting.
 */
import { type StoreError, TokenStore, type TokenStoreShape } from "@miro-token/core";
import {
  PGPASSWORD_ENV,
  STORE_URL_ENV,
  type StoreSelection,
  selectStore,
} from "@miro-token/core/internal";
import { Context, Effect, Layer, Option, Result, type Scope } from "effect";
import { envVar } from "./Env.ts";
import { UsageError } from "./Failure.ts";
import { keyringRefusalAsUsage, storeKeyring } from "./StoreKeyring.ts";
import { InsecureStorePermissions } from "./StorePermissions.ts";
import { readSecretFile } from "./TokenInput.ts";

export { InsecureStorePermissions } from "./StorePermissions.ts";

/** The parsed store flags of a command (`storeFlags` in `CommandKit.ts`). */
export interface StoreFlagsInput {
  readonly store: Option.Option<string>;
  readonly storeUrlFile: Option.Option<string>;
}

/**
 * The store the flags select. With `required`, `MIRO_TOKEN_STORE_URL` stands in for absent
 * flags and naming none is a usage error; without, only the flags select a store (a command
 * that works without one does not switch to a store because of the environment).
 */
export const selectedStore = (
  input: StoreFlagsInput,
  required: boolean,
): Effect.Effect<Option.Option<StoreSelection>, UsageError> =>
  Effect.gen(function* () {
    const urlFileText = Option.isSome(input.storeUrlFile)
      ? yield* readSecretFile(input.storeUrlFile.value, "--store-url-file")
      : undefined;
    const envUrl = required ? yield* envVar(STORE_URL_ENV) : undefined;
    const selected = selectStore({
      flag: Option.getOrUndefined(input.store),
      urlFileText,
      envUrl,
      pgPassword: yield* envVar(PGPASSWORD_ENV),
    });
    if (Result.isFailure(selected)) return yield* new UsageError({ reason: selected.failure });
    if (selected.success === undefined && required) {
      return yield* new UsageError({
        reason: `a store is required: give --store <path|postgres://…>, --store-url-file <path> or ${STORE_URL_ENV}`,
      });
    }
    return Option.fromNullishOr(selected.success);
  });

/** Open the selected store for the command's scope. */
export const openSelected = (
  selection: StoreSelection,
): Effect.Effect<TokenStoreShape, StoreError | UsageError, Scope.Scope> =>
  Effect.gen(function* () {
    const { storeLayer } = yield* Effect.promise(
      () => import("@miro-token/store-postgres/selection"),
    );
    const permissionsOperation =
      selection._tag === "File"
        ? (yield* Effect.promise(() => import("@miro-token/store-file"))).FileTokenStore
            .PERMISSIONS_OPERATION
        : undefined;
    const insecurePermissions = yield* InsecureStorePermissions;
    const keyring = yield* storeKeyring;
    const opened = Effect.map(
      Layer.build(storeLayer(selection, { keyring, insecurePermissions })),
      (context) => Context.get(context, TokenStore),
    );
    return yield* keyringRefusalAsUsage(opened).pipe(
      Effect.catchTag(
        "StoreError",
        (error): Effect.Effect<never, StoreError | UsageError> =>
          Effect.fail(
            error.operation === permissionsOperation
              ? new UsageError({ reason: error.reason })
              : error,
          ),
      ),
    );
  });

/** Open the store a command needs (flags, else `MIRO_TOKEN_STORE_URL`). */
export const openStore = (
  input: StoreFlagsInput,
): Effect.Effect<TokenStoreShape, StoreError | UsageError, Scope.Scope> =>
  Effect.flatMap(selectedStore(input, true), (selection) =>
    openSelected(Option.getOrThrow(selection)),
  );

/** Open the store the flags name, if they name one. */
export const openStoreIfGiven = (
  input: StoreFlagsInput,
): Effect.Effect<TokenStoreShape | undefined, StoreError | UsageError, Scope.Scope> =>
  Effect.flatMap(selectedStore(input, false), (selection) =>
    Option.isSome(selection) ? openSelected(selection.value) : Effect.succeed(undefined),
  );
