/**
 * The one wording of command-line parse errors, for both apps (`miro-token` and
 * `miro-token-watcher` parse their flags with `effect/cli`): a fixed phrase that names the
 * option but never echoes a value, which could be a secret typed into the wrong flag. Pure and
 * type-only on `effect/cli`: nothing here loads the CLI module.
 *
 * @since 0.1.0
 */
import type { CliError } from "effect/cli";

const flagName = (option: string): string => {
  const name = option.split("=", 1)[0] ?? option;
  return name.startsWith("-") ? name : `--${name}`;
};

/**
 * A parse error as a fixed phrase: `unknown option --bogus`, `invalid value for --port:
 * expected integer`, never the value given.
 *
 * @category formatting
 * @since 0.1.0
 */
export const describeParseError = (error: CliError.NonShowHelpErrors): string => {
  switch (error._tag) {
    case "UnrecognizedOption":
      return `unknown option ${flagName(error.option)}${error.suggestions.length > 0 ? ` (did you mean ${error.suggestions.join(", ")}?)` : ""}`;
    case "DuplicateOption":
      return `option ${flagName(error.option)} is declared twice`;
    case "MissingOption":
      return `missing required option ${flagName(error.option)}`;
    case "MissingArgument":
      return `missing argument <${error.argument}>`;
    case "UnexpectedArgument":
      return `unexpected argument${error.arguments.length === 1 ? "" : "s"} (${error.arguments.length})`;
    case "InvalidValue":
      return error.kind === "flag"
        ? `invalid value for ${flagName(error.option)}: ${error.expected.replace(/^Expected /, "expected ")}`
        : `invalid value for <${error.option}>`;
    case "UnknownSubcommand":
      return `unknown command${error.suggestions.length > 0 ? ` (did you mean ${error.suggestions.join(", ")}?)` : ""}`;
    case "ValidationError":
      return "invalid input";
    case "UserError":
      return "invalid input";
  }
};
