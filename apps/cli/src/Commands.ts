/**
 * The `miro-token` command tree: the root command (`RootCommand.ts`) and one file per command
 * under `commands/`, each holding its flags, help, examples and handler, its body loaded only
 * when it runs. Failures propagate to the one top-level handler in `Main.ts`.
 */
import { Command } from "effect/cli";
import { demoCommand } from "./commands/DemoCommand.ts";
import { emulatorCommand } from "./commands/EmulatorCommand.ts";
import { infoCommand } from "./commands/InfoCommand.ts";
import { loginCommand } from "./commands/LoginCommand.ts";
import { refreshCommand } from "./commands/RefreshCommand.ts";
import { revokeCommand } from "./commands/RevokeCommand.ts";
import { storeCommand } from "./commands/StoreCommand.ts";
import { watchCommand } from "./commands/WatchCommand.ts";
import { root } from "./RootCommand.ts";

export { CLI_VERSION, EXIT_CODES_HELP } from "./RootCommand.ts";

/** The whole command tree. */
export const app = root.pipe(
  Command.withSubcommands([
    demoCommand,
    infoCommand,
    revokeCommand,
    refreshCommand,
    watchCommand,
    loginCommand,
    storeCommand,
    emulatorCommand,
  ]),
);
