/**
 * Opening a token store directory (`--store <path>`): `@miro-token/store-file`, loaded with
 * `import()` only by the commands that use a store.
 */
import type { StoreError, TokenStoreShape } from "@miro-token/core";
import { Effect } from "effect";

/** Open (and create, mode 0700) the store in `directory`. */
export const openStore = (directory: string): Effect.Effect<TokenStoreShape, StoreError> =>
  Effect.flatMap(
    Effect.promise(() => import("@miro-token/store-file")),
    (module) => module.FileTokenStore.make({ directory }),
  );
