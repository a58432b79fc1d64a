/**
 * Running a `miro-token` program as the process: with Node's services, exiting with its code.
 * SIGINT and SIGTERM interrupt the run (finalizers close servers and sockets) and exit 130.
 * Shared by the whole program (`bin.ts`) and `info`'s fast path (`InfoFastBin.ts`).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime";
import { ExitCode } from "@miro-token/core";
import { processExitCode } from "@miro-token/core/internal";
import { Effect, type Layer } from "effect";

/** Run `program` with `services` as the process, and exit with its code. */
export const runProcess = <R>(
  program: Effect.Effect<number, never, R>,
  services: Layer.Layer<R>,
): void =>
  program.pipe(
    Effect.provide(services),
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
