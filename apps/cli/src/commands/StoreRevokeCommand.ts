/**
 * `miro-token store revoke`: the flags, help and examples of the command that revokes a stored
 * token at Miro and then removes it from the store, so a watcher (or a fleet of them) on the
 * same store stops watching it; the body (`StoreRevokeRun.ts`) is loaded when it runs.
 */
import { Command, Flag } from "effect/cli";
import { handler, requiredStoreFlags } from "../CommandKit.ts";

const storeRevokeFlags = {
  ...requiredStoreFlags,
  id: Flag.String("id").pipe(
    Flag.withDescription("Id of the token to revoke and remove (default: none, required)"),
  ),
};

/** The parsed flags of `store revoke`, inferred from their declarations. */
export type StoreRevokeInput = Command.Command.Config.Infer<typeof storeRevokeFlags>;

/** `miro-token store revoke`. */
export const storeRevokeCommand = Command.make(
  "revoke",
  storeRevokeFlags,
  handler(
    () => import("./StoreRevokeRun.ts"),
    (module) => module.runStoreRevoke,
  ),
).pipe(
  Command.withShortDescription("Revoke a stored token at Miro, then remove it from the store"),
  Command.withDescription(
    "Holding the token's store lock (no watcher rotates it meanwhile), revoke its access token through /v2/oauth/revoke (which also revokes its refresh token; client credentials required, the token never travels in a URL), then delete the entry; watchers on the same store drop it at once. A token Miro no longer knows counts as revoked once token info confirms it is dead. When Miro cannot be reached (exit 5) or refuses (exit 4) the entry is kept as it was; when the store fails after the revoke (exit 1) the token is dead and the entry is kept: run the command again to remove it.",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_CLIENT_ID=... MIRO_CLIENT_SECRET=... miro-token store revoke --store ~/.miro-token --id alice",
      description: "Revoke alice's token and forget it",
    },
  ]),
);
