/**
 * `miro-token emulator`: the flags, help and examples of the command that runs the local Miro
 * token API emulator; the body (`EmulatorRun.ts`) is loaded when the command runs.
 */
import { DEFAULT_PORT } from "@miro-token/emulator/default-port";
import { Effect } from "effect";
import { Command, Flag } from "effect/cli";
import { handler } from "../CommandKit.ts";
import type { RunContext } from "../RunContext.ts";

const flags = {
  port: Flag.Int("port").pipe(
    Flag.withDefault(DEFAULT_PORT),
    Flag.withDescription(`TCP port; 0 picks a free one (default: ${DEFAULT_PORT})`),
  ),
  host: Flag.String("host").pipe(
    Flag.withDefault("127.0.0.1"),
    Flag.withDescription("Interface to listen on (default: 127.0.0.1)"),
  ),
  showToken: Flag.Boolean("show-token").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Print the seeded tokens and client secret, not just fingerprints (default: false)",
    ),
  ),
};

/** The parsed flags of `emulator`, inferred from their declarations. */
export type EmulatorInput = Command.Command.Config.Infer<typeof flags>;

/** `miro-token emulator`. */
export const emulatorCommand = Command.make(
  "emulator",
  flags,
  handler(
    () => import("./EmulatorRun.ts"),
    (module) => (ctx: RunContext, input: EmulatorInput) =>
      Effect.scoped(module.runEmulator(ctx.mode, input)),
  ),
).pipe(
  Command.withShortDescription("Run the local Miro token API emulator"),
  Command.withDescription(
    "Run a local emulator of Miro's token API (token info, revoke v1/v2, token endpoint, authorize) with a seeded app client and token set, until Ctrl+C. Its control API is under /__emulator/.",
  ),
  Command.withExamples([
    { command: "miro-token emulator --port 8710", description: "Listen on http://127.0.0.1:8710" },
    {
      command: "miro-token --base-url http://127.0.0.1:8710 info --token-file token.txt",
      description: "Point any command at it",
    },
  ]),
);
