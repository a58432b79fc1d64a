/**
 * `miro-token revoke`: the flags, help and examples of the command that revokes a token; the
 * body (`RevokeRun.ts`) is loaded when the command runs.
 */
import { Command, Flag } from "effect/cli";
import { handler, stdinArgument, tokenFileFlag } from "../CommandKit.ts";

const flags = {
  tokenFile: tokenFileFlag,
  stdin: stdinArgument,
  verify: Flag.Boolean("verify").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Probe token info afterwards and fail unless the token is dead (default: false)",
    ),
  ),
  allowV1Revoke: Flag.Boolean("allow-v1-revoke").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Without client credentials, revoke through the deprecated v1 endpoint, which takes the token in the URL query (default: false)",
    ),
  ),
};

/** The parsed flags of `revoke`, inferred from their declarations. */
export type RevokeInput = Command.Command.Config.Infer<typeof flags>;

/** `miro-token revoke`. */
export const revokeCommand = Command.make(
  "revoke",
  flags,
  handler(
    () => import("./RevokeRun.ts"),
    (module) => module.runRevoke,
  ),
).pipe(
  Command.withShortDescription("Revoke a token (and its refresh token)"),
  Command.withDescription(
    "Revoke the access token, which also revokes its refresh token. Uses /v2/oauth/revoke when client credentials are configured; without them it exits 2 unless --allow-v1-revoke, which uses the deprecated v1 endpoint (token in the URL query) with a warning on stderr. --verify asks token info afterwards and exits 4 if the token still answers.",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_CLIENT_ID=... MIRO_CLIENT_SECRET=... miro-token revoke --token-file token.txt --verify",
      description: "Revoke through v2 and prove the token is dead",
    },
  ]),
);
