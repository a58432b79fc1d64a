/**
 * `miro-token info`: the flags, help and examples of the command that shows what Miro knows about a
 * token; the body (`InfoRun.ts`) is loaded when the command runs.
 */
import { Command } from "effect/cli";
import { handler, stdinArgument, tokenFileFlag } from "../CommandKit.ts";

/** `info`'s own flags and argument (the fast argv table is derived from them too). */
export const infoConfig = { tokenFile: tokenFileFlag, stdin: stdinArgument };

/** The parsed flags of `info`, inferred from their declarations. */
export type InfoInput = Command.Command.Config.Infer<typeof infoConfig>;

/** `miro-token info`. */
export const infoCommand = Command.make(
  "info",
  infoConfig,
  handler(
    () => import("./InfoRun.ts"),
    (module) => module.runInfo,
  ),
).pipe(
  Command.withShortDescription("Show what Miro knows about a token"),
  Command.withDescription(
    "Show the token's type, user, team, organization, scopes and creator, and the rate-limit headroom Miro reported. Exit 0 when the token is active, 3 when Miro says it is invalid, expired or revoked.",
  ),
  Command.withExamples([
    { command: "MIRO_ACCESS_TOKEN=... miro-token info", description: "Token from the environment" },
    { command: "miro-token info --token-file ~/.miro/token", description: "Token from a file" },
    {
      command: "pass show miro | miro-token info - --json",
      description: "Token on stdin, JSON out",
    },
  ]),
);
