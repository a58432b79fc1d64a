/**
 * `miro-token store list|add|remove|revoke|rekey|migrate`: the flags, help and examples of the store commands; their
 * bodies (`StoreRun.ts`) are loaded when one of them runs.
 */
import { Command, Flag } from "effect/cli";
import { handler, requiredStoreFlags } from "../CommandKit.ts";
import { storeMigrateCommand } from "./StoreMigrateCommand.ts";
import { storeRekeyCommand } from "./StoreRekeyCommand.ts";
import { storeRevokeCommand } from "./StoreRevokeCommand.ts";

const load = () => import("./StoreRun.ts");

const storeListFlags = { ...requiredStoreFlags };

/** The parsed flags of `store list`, inferred from their declarations. */
export type StoreListInput = Command.Command.Config.Infer<typeof storeListFlags>;

const storeList = Command.make(
  "list",
  storeListFlags,
  handler(load, (module) => module.runStoreList),
).pipe(
  Command.withShortDescription("List the tokens of a store (never the tokens themselves)"),
  Command.withDescription(
    "Show each stored token's id, fingerprint, generation, expiry and the state its expiry implies (active, expired, non-expiring), and whether it can be refreshed.",
  ),
  Command.withExamples([
    { command: "miro-token store list --store ~/.miro-token", description: "What is stored" },
  ]),
);

const storeAddFlags = {
  ...requiredStoreFlags,
  id: Flag.String("id").pipe(
    Flag.optional,
    Flag.withDescription(
      'Id to store the token under (default: the token set\'s user_id, else "default")',
    ),
  ),
};

/** The parsed flags of `store add`, inferred from their declarations. */
export type StoreAddInput = Command.Command.Config.Infer<typeof storeAddFlags>;

const storeAdd = Command.make(
  "add",
  storeAddFlags,
  handler(load, (module) => module.runStoreAdd),
).pipe(
  Command.withShortDescription("Add a token set (Miro's token response JSON) from stdin"),
  Command.withDescription(
    "Read one token set from stdin — Miro's token response JSON ({access_token, refresh_token, expires_in, scope, team_id, user_id}) — and store it as generation 1. An existing id is refused.",
  ),
  Command.withExamples([
    {
      command: "miro-token store add --store ~/.miro-token --id alice < token-response.json",
      description: "Store a token response saved from your OAuth callback",
    },
  ]),
);

const storeRemoveFlags = {
  ...requiredStoreFlags,
  id: Flag.String("id").pipe(
    Flag.withDescription("Id of the token to remove (default: none, required)"),
  ),
};

/** The parsed flags of `store remove`, inferred from their declarations. */
export type StoreRemoveInput = Command.Command.Config.Infer<typeof storeRemoveFlags>;

const storeRemove = Command.make(
  "remove",
  storeRemoveFlags,
  handler(load, (module) => module.runStoreRemove),
).pipe(
  Command.withShortDescription("Remove a token from a store (it is not revoked)"),
  Command.withDescription(
    "Delete a token's entry from the store. The token is not revoked at Miro: use miro-token store revoke if it should die.",
  ),
  Command.withExamples([
    {
      command: "miro-token store remove --store ~/.miro-token --id alice",
      description: "Forget alice's token",
    },
  ]),
);

/** `miro-token store`: the group. */
export const storeCommand = Command.make("store").pipe(
  Command.withShortDescription("Manage a token store: list, add, remove, revoke, rekey, migrate"),
  Command.withDescription(
    "Manage a token store: a directory (one 0600 file per token in a 0700 directory, atomic writes, cross-process locks) or a PostgreSQL database (postgres://…, after store migrate). Tokens are never printed.",
  ),
  Command.withExamples([
    { command: "miro-token store list --store ~/.miro-token", description: "List stored tokens" },
  ]),
  Command.withSubcommands([
    storeList,
    storeAdd,
    storeRemove,
    storeRevokeCommand,
    storeRekeyCommand,
    storeMigrateCommand,
  ]),
);
