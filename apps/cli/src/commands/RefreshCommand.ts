/**
 * `miro-token refresh`: the flags, help and examples of the command that refreshes a stored
 * token or a token-set file; the body (`RefreshRun.ts`) is loaded when the command runs.
 */
import { Command, Flag } from "effect/cli";
import { handler, showTokenFlag, storeFlags } from "../CommandKit.ts";

const flags = {
  ...storeFlags("Token store to refresh a token of", "none; or --token-set"),
  id: Flag.String("id").pipe(
    Flag.optional,
    Flag.withDescription("Id of the token in the store (default: the store's only token)"),
  ),
  tokenSet: Flag.String("token-set").pipe(
    Flag.optional,
    Flag.withMetavar("path"),
    Flag.withDescription(
      "A file holding one token set (Miro's token response JSON), rewritten atomically with the new pair (default: none; or --store)",
    ),
  ),
  showToken: showTokenFlag,
};

/** The parsed flags of `refresh`, inferred from their declarations. */
export type RefreshInput = Command.Command.Config.Infer<typeof flags>;

/** `miro-token refresh`. */
export const refreshCommand = Command.make(
  "refresh",
  flags,
  handler(
    () => import("./RefreshRun.ts"),
    (module) => module.runRefresh,
  ),
).pipe(
  Command.withShortDescription("Refresh a stored token with the store protocol"),
  Command.withDescription(
    "Refresh a token: take the store's lock, re-read the entry (someone may have refreshed it), call Miro's token endpoint with client credentials, persist the new pair durably, and only then report it. Miro rotates refresh tokens, so the old pair is dead afterwards. Prints the new expiry and fingerprint, never the token unless --show-token. Exit 4 when Miro rejects the grant (authorize again).",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_CLIENT_ID=... MIRO_CLIENT_SECRET=... miro-token refresh --store ~/.miro-token --id alice",
      description: "Refresh one token of a store",
    },
    {
      command:
        "miro-token refresh --token-set token.json --client-secret-file secret.txt --client-id 3458...",
      description: "Refresh a plain token-set file in place",
    },
  ]),
);
