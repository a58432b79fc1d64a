/**
 * `miro-token store rekey`: the flags, help and examples; the body (`StoreRekeyRun.ts`) is
 * loaded when it runs.
 */
import { Command } from "effect/cli";
import { handler, requiredStoreFlags } from "../CommandKit.ts";

const storeRekeyFlags = { ...requiredStoreFlags };

/** The parsed flags of `store rekey`, inferred from their declarations. */
export type StoreRekeyInput = Command.Command.Config.Infer<typeof storeRekeyFlags>;

/** `miro-token store rekey`. */
export const storeRekeyCommand = Command.make(
  "rekey",
  storeRekeyFlags,
  handler(
    () => import("./StoreRekeyRun.ts"),
    (module) => module.runStoreRekey,
  ),
).pipe(
  Command.withShortDescription("Re-seal every token under the keyring's current key"),
  Command.withDescription(
    "Re-encrypt every stored token not under the current key of the keyring in MIRO_TOKEN_STORE_KEYS_FILE / MIRO_TOKEN_STORE_KEYS (plaintext, or an older key), one at a time through the store's lock and compare-and-set, while watchers run. Resumable: run it again after a crash. Exit 1 when a record cannot be read (its key is missing, it was tampered with): it is left as it was and named.",
  ),
  Command.withExamples([
    {
      command:
        "MIRO_TOKEN_STORE_KEYS_FILE=/run/secrets/keys.json miro-token store rekey --store ~/.miro-token",
      description: "After making a new key current; then drop the old key",
    },
  ]),
);
