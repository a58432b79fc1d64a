/**
 * A TCP port given on the command line (`--port`): 0 (any free port) to 65535.
 */
import { Effect } from "effect";
import { UsageError } from "./Failure.ts";

/** The port, or a usage error. */
export const checkPort = (port: number): Effect.Effect<number, UsageError> =>
  Number.isInteger(port) && port >= 0 && port <= 65_535
    ? Effect.succeed(port)
    : Effect.fail(new UsageError({ reason: "--port must be 0 to 65535" }));
