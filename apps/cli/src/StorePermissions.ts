/**
 * The run's `--insecure-store-permissions` choice, apart from the store access it governs
 * (`StoreAccess.ts`), so that a command without a store (`info`'s fast path, through
 * `RunContext.ts`) provides it without loading the stores' modules.
 */
import { Context } from "effect";

/** Whether `--insecure-store-permissions` was given (the store then accepts such a store). */
export const InsecureStorePermissions = Context.Reference<boolean>(
  "@miro-token/cli/InsecureStorePermissions",
  { defaultValue: () => false },
);
