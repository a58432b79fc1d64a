/**
 * The `miro-token` process: runs `runCli` on the real argv with Node's services, and exits
 * with its code. SIGINT and SIGTERM interrupt the run (finalizers close servers and sockets)
 * and exit 130.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime";
import { ExitCode } from "@miro-token/core";
import { processExitCode } from "@miro-token/core/internal";
import { Effect } from "effect";
import { runCli } from "./Main.ts";
import * as NodeEnvironment from "./NodeEnvironment.ts";

runCli(process.argv.slice(2)).pipe(
  Effect.provide(NodeEnvironment.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => {
      const code = processExitCode(exit, () => ExitCode.Interrupted);
      process.exitCode = code;
      // Let stdout drain and the loop end on its own; force the exit if a handle lingers.
      setTimeout(() => process.exit(code), 250).unref();
      onExit(code);
    },
  }),
);
