/**
 * Rendering: results on stdout, diagnostics (and Effect's logs, see `Main.ts`) on stderr. With `--json` a command prints exactly
 * one JSON document (NDJSON for `watch`); otherwise aligned `label  value` rows, coloured only
 * when stdout is a terminal and `NO_COLOR` is unset. Tokens never reach this module: callers
 * pass fingerprints.
 */
import { Console, Effect, Stdio } from "effect";
import { ENV, envFlag } from "./Env.ts";
import { recordDocument } from "./RunJournal.ts";

/** How this run prints. */
export interface OutputMode {
  /** Machine output: one JSON document on stdout. */
  readonly json: boolean;
  /** ANSI colours in human output. */
  readonly color: boolean;
  /** Diagnostics on stderr. */
  readonly verbose: boolean;
  /** Whether stdout is a terminal (live status lines). */
  readonly interactive: boolean;
}

/** Decide the output mode from the flags, the terminal and `NO_COLOR`. */
export const resolveOutputMode = (flags: {
  readonly json: boolean;
  readonly verbose: boolean;
}): Effect.Effect<OutputMode, never, Stdio.Stdio> =>
  Effect.gen(function* () {
    const stdio = yield* Stdio.Stdio;
    const interactive = yield* stdio.stdoutIsTerminal;
    const noColor = yield* envFlag(ENV.noColor);
    return {
      json: flags.json,
      color: interactive && !noColor && !flags.json,
      verbose: flags.verbose,
      interactive: interactive && !flags.json,
    };
  });

const ansi =
  (open: number, close: number) =>
  (mode: Pick<OutputMode, "color">, text: string): string =>
    mode.color ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** Colour helpers; each is the identity when colour is off. */
export const style = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};

/** Print one JSON document (one line) on stdout, and note it in the run's journal. */
export const printJson = (document: unknown): Effect.Effect<void> =>
  Effect.andThen(Console.log(JSON.stringify(document)), recordDocument);

/** Print lines on stdout. */
export const printLines = (lines: ReadonlyArray<string>): Effect.Effect<void> =>
  lines.length === 0 ? Effect.void : Console.log(lines.join("\n"));

/** `label  value` rows with the labels padded to one width. */
export const table = (
  mode: Pick<OutputMode, "color">,
  rows: ReadonlyArray<readonly [string, string]>,
): ReadonlyArray<string> => {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${style.dim(mode, label.padEnd(width))}  ${value}`);
};

/** A diagnostic on stderr, only with `--verbose`. Callers pass no secrets (fingerprints only). */
export const diagnostic = (
  mode: Pick<OutputMode, "verbose">,
  message: string,
): Effect.Effect<void> => (mode.verbose ? Console.error(`miro-token: ${message}`) : Effect.void);

/** A warning on stderr, always shown (also with `--json`, which only owns stdout). */
export const warn = (message: string): Effect.Effect<void> =>
  Console.error(`miro-token: warning: ${message}`);

/** An ISO-8601 time (seconds precision) for an epoch-ms instant. */
export const isoTime = (epochMillis: number): string =>
  new Date(epochMillis).toISOString().replace(/\.\d{3}Z$/, "Z");
