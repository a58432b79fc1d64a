/**
 * `miro-token demo`: the flags, help and examples of the guided tour on an embedded emulator;
 * the body (`Demo.ts`) is loaded when the command runs.
 */
import { Command, Flag } from "effect/cli";
import { handler } from "../CommandKit.ts";

const flags = {
  port: Flag.Int("port").pipe(
    Flag.withDefault(0),
    Flag.withDescription("Port of the embedded emulator; 0 picks a free one (default: 0)"),
  ),
};

/** The parsed flags of `demo`, inferred from their declarations. */
export type DemoInput = Command.Command.Config.Infer<typeof flags>;

/** `miro-token demo`. */
export const demoCommand = Command.make(
  "demo",
  flags,
  handler(
    () => import("../Demo.ts"),
    (module) => module.runDemoCommand,
  ),
).pipe(
  Command.withShortDescription("Watch one token live its whole life on a local emulator (~5 s)"),
  Command.withDescription(
    "Start an embedded Miro emulator and walk one short-lived token through its whole life: info, a watcher refreshing it (Miro rotates the pair, the old token dies), revoke --verify, the watcher seeing it die, and an idle token expiring on the emulator's clock. No account, network or credentials needed.",
  ),
  Command.withExamples([
    { command: "miro-token demo", description: "The story, for people" },
    { command: "miro-token demo --json", description: "The same as NDJSON events" },
  ]),
);
