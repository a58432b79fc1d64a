/**
 * Reading `miro-token info`'s argv without `effect/cli`, so that `info` starts without
 * evaluating the whole command tree (about 20 ms of CPU). This is not a second definition of
 * the flags: the table is derived from the very `effect/cli` flags the program declares
 * (`FastArgvTable.ts`; the build bakes it into the entry chunk), and this reader accepts only a
 * plain subset of what `effect/cli` accepts (`--name`, `--name value`, `--name=value`, the
 * command name, a lone `-`), each flag at most once. Anything else (an unknown or repeated
 * flag, a short alias, `--`, `--json=false`, a value that looks like a flag, a number or choice
 * it would not take) returns `undefined` and the whole program parses it, with its own errors.
 * `FastArgv.test.ts` checks that every argv read here is parsed by `effect/cli` to the same
 * values.
 *
 * Nothing here may import a module: it runs in the binary's entry chunk (`launch.ts`).
 */

/** How one flag's value is read. */
export type FastFlagType = "boolean" | "string" | "int" | "choice";

/** One flag of the table, by its long name. */
export interface FastFlag {
  /** The key of the flag in its config record (`tokenFile` for `--token-file`). */
  readonly key: string;
  /** Whether it is a shared (root) flag or the command's own. */
  readonly scope: "global" | "command";
  readonly type: FastFlagType;
  /** The accepted values of a `choice`. */
  readonly choices?: ReadonlyArray<string> | undefined;
  /** `Option` valued: absent is `Option.none()`. Otherwise absent is `default`. */
  readonly optional: boolean;
  readonly default?: string | number | boolean | undefined;
}

/** What the reader needs to know of one command. */
export interface FastArgvTable {
  /** The command's name (`info`). */
  readonly command: string;
  /** Flags by long name (without `--`). */
  readonly flags: Readonly<Record<string, FastFlag>>;
  /** The config key of the command's one optional positional argument, read only as `-`. */
  readonly stdinKey: string;
}

/** The values given on argv, by scope and config key. */
export interface FastArgv {
  readonly global: Readonly<Record<string, string | number | boolean>>;
  readonly command: Readonly<Record<string, string | number | boolean>>;
  /** Whether the lone `-` (token on stdin) was given. */
  readonly stdin: boolean;
}

/** Integers as `effect/cli` surely reads them: no sign, no leading zero, no exponent. */
const PLAIN_INT = /^(0|[1-9][0-9]{0,8})$/;

const readValue = (flag: FastFlag, text: string): string | number | undefined => {
  switch (flag.type) {
    case "int":
      return PLAIN_INT.test(text) ? Number(text) : undefined;
    case "choice":
      return flag.choices?.includes(text) === true ? text : undefined;
    case "string":
      return text;
    case "boolean":
      return undefined;
  }
};

/**
 * The values of `argv` when it is `table.command` with flags this reader surely reads as
 * `effect/cli` does; `undefined` when the whole program must parse it.
 */
export const parseFastArgv = (
  table: FastArgvTable,
  argv: ReadonlyArray<string>,
): FastArgv | undefined => {
  const global: Record<string, string | number | boolean> = {};
  const command: Record<string, string | number | boolean> = {};
  let seenCommand = false;
  let stdin = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === table.command && !seenCommand) {
      seenCommand = true;
      continue;
    }
    if (arg === "-" && seenCommand && !stdin) {
      stdin = true;
      continue;
    }
    if (!arg.startsWith("--")) return undefined;
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const flag = Object.hasOwn(table.flags, name) ? table.flags[name] : undefined;
    if (flag === undefined || (flag.scope === "command" && !seenCommand)) return undefined;
    const into = flag.scope === "global" ? global : command;
    if (Object.hasOwn(into, flag.key)) return undefined;
    if (flag.type === "boolean") {
      if (equals !== -1) return undefined;
      into[flag.key] = true;
      continue;
    }
    const text = equals === -1 ? argv[++i] : arg.slice(equals + 1);
    if (text === undefined || text === "" || (text.startsWith("-") && text !== "-")) {
      return undefined;
    }
    const value = readValue(flag, text);
    if (value === undefined) return undefined;
    into[flag.key] = value;
  }
  return seenCommand ? { global, command, stdin } : undefined;
};
