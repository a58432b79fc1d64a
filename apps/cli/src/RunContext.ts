/**
 * What every command handler gets besides its own options: the shared options and the output
 * mode decided from them. Built once per run in `Commands.ts`.
 */
import { Effect, type Stdio } from "effect";
import type { GlobalOptions } from "./GlobalOptions.ts";
import { type OutputMode, resolveOutputMode } from "./Output.ts";

/** The shared options and the output mode of a run. */
export interface RunContext {
  readonly global: GlobalOptions;
  readonly mode: OutputMode;
}

/** Build the run context from the parsed shared options. */
export const makeRunContext = (
  global: GlobalOptions,
): Effect.Effect<RunContext, never, Stdio.Stdio> =>
  Effect.map(resolveOutputMode(global), (mode) => ({ global, mode }));
