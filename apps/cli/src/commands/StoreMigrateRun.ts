/**
 * The body of `miro-token store migrate` (flags and help: `StoreMigrateCommand.ts`): apply the
 * pending migrations of a PostgreSQL store and report them. The target is shown only without
 * its password (`publicTarget`); a directory store is a usage error (it has no schema).
 */
import { Effect, Option } from "effect";
import { UsageError } from "../Failure.ts";
import { printJson, printLines, table } from "../Output.ts";
import type { RunContext } from "../RunContext.ts";
import { selectedStore } from "../StoreAccess.ts";
import type { StoreMigrateInput } from "./StoreMigrateCommand.ts";

/** `store migrate`. */
export const runStoreMigrate = (ctx: RunContext, input: StoreMigrateInput) =>
  Effect.gen(function* () {
    const selection = Option.getOrThrow(yield* selectedStore(input, true));
    if (selection._tag !== "Postgres") {
      return yield* new UsageError({
        reason: "store migrate applies to a postgres:// store; a directory store has no schema",
      });
    }
    const { migrateSelection, schemaAsStoreError } = yield* Effect.promise(
      () => import("@miro-token/store-postgres/selection"),
    );
    const result = yield* migrateSelection(selection).pipe(
      Effect.catchTag("SchemaVersionError", (error) => Effect.fail(schemaAsStoreError(error))),
    );
    const target = selection.target;
    yield* ctx.mode.json
      ? printJson({ ok: true, command: "store migrate", target, ...result })
      : printLines([
          ...table(ctx.mode, [
            ["store", target],
            ["schema", `version ${result.from} → ${result.to}`],
            [
              "applied",
              result.applied.length === 0 ? "nothing (up to date)" : result.applied.join(", "),
            ],
          ]),
        ]);
  });
