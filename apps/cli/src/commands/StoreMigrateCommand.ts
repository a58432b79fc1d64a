/**
 * `miro-token store migrate`: the flags, help and examples; the body (`StoreMigrateRun.ts`) is
 * loaded when it runs.
 */
import { Command } from "effect/cli";
import { handler, requiredStoreFlags } from "../CommandKit.ts";

const storeMigrateFlags = { ...requiredStoreFlags };

/** The parsed flags of `store migrate`, inferred from their declarations. */
export type StoreMigrateInput = Command.Command.Config.Infer<typeof storeMigrateFlags>;

/** `miro-token store migrate`. */
export const storeMigrateCommand = Command.make(
  "migrate",
  storeMigrateFlags,
  handler(
    () => import("./StoreMigrateRun.ts"),
    (module) => module.runStoreMigrate,
  ),
).pipe(
  Command.withShortDescription("Create or upgrade a PostgreSQL store's schema"),
  Command.withDescription(
    "Apply the numbered migrations a postgres:// store has not had yet, in one transaction (several migrators at once apply each exactly once), and say which. Idempotent: a second run applies nothing. A schema newer than this release is refused (upgrade instead). A directory store needs no migration.",
  ),
  Command.withExamples([
    {
      command: "PGPASSWORD=... miro-token store migrate --store postgres://watcher@db:5432/miro",
      description: "Once per deploy, before starting the watchers",
    },
  ]),
);
