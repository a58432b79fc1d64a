/**
 * The answers `miro-token` gives without running anything: `--help` (or `-h`) of each command
 * and `--version`. They depend only on the command tree and on whether help may use colour, so
 * the build renders them once, through the real program (`scripts/fast-output.ts` runs
 * `runCli`), and the binary's entry (`launch.ts`) prints them without loading Effect. Any other
 * argv, or an environment where the colour choice is not plain, runs the whole program.
 *
 * Nothing here may import a module: the entry chunk must stay this file and `launch.ts`.
 */

/**
 * The rendered answers: each distinct one once, as stdout gets it with ANSI colours (without
 * them it is the same text with the colour codes removed, which the build checks), and the
 * argvs that print it, joined with single spaces (`"info --help"`, `"info -h"`).
 */
export interface FastOutputTable {
  readonly answers: ReadonlyArray<string>;
  readonly index: Readonly<Record<string, number>>;
}

/** `text` without its ANSI colour (SGR) codes. */
export const stripColors = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every code removed.
  text.replace(/\x1b\[[0-9;]*m/g, "");

/** The argv forms the table holds for a command path: its `--help` and `-h`. */
export const helpArgvs = (path: ReadonlyArray<string>): ReadonlyArray<ReadonlyArray<string>> => [
  [...path, "--help"],
  [...path, "-h"],
];

/** The argv forms that print the version. */
export const VERSION_ARGVS: ReadonlyArray<ReadonlyArray<string>> = [["--version"], ["-v"]];

/** The table key of an argv. */
export const keyOf = (argv: ReadonlyArray<string>): string => argv.join(" ");

/**
 * Longest `NO_COLOR` the fast path decides on. Longer values go to the whole program, whose
 * environment rule (core's `settingConfig`: a value over 64 KiB is refused, so colours stay on)
 * then decides; up to this length a value can never be over that cap.
 */
const PLAIN_NO_COLOR_MAX = 1024;

/**
 * Whether help may use colour, as `Main.ts` decides it (stdout is a terminal and `NO_COLOR` is
 * unset or empty); `undefined` when the fast path should not decide.
 */
export const colorsWanted = (
  stdoutIsTerminal: boolean,
  noColor: string | undefined,
): boolean | undefined => {
  if (noColor === undefined || noColor === "") return stdoutIsTerminal;
  return noColor.length <= PLAIN_NO_COLOR_MAX ? false : undefined;
};

/**
 * What stdout gets for `argv` without running the program, or `undefined` when the program
 * must run. Only exact matches of the table's keys qualify.
 */
export const fastOutput = (
  table: FastOutputTable,
  argv: ReadonlyArray<string>,
  stdoutIsTerminal: () => boolean,
  noColor: string | undefined,
): string | undefined => {
  if (argv.length === 0 || argv.length > 4) return undefined;
  const key = keyOf(argv);
  const answer = Object.hasOwn(table.index, key) ? table.answers[table.index[key]!] : undefined;
  if (answer === undefined) return undefined;
  const colors = colorsWanted(stdoutIsTerminal(), noColor);
  if (colors === undefined) return undefined;
  return colors ? answer : stripColors(answer);
};
