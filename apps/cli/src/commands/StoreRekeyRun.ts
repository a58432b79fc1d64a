/**
 * The body of `miro-token store rekey --store <path|url>` (flags and help: `StoreRekeyCommand.ts`):
 * re-seal every token of a store not under the
 * keyring's current key (plaintext, or an older key) through the store's lock and
 * compare-and-set, while watchers keep running. Run it again after a crash: it resumes.
 * Prints counts and the ids it could not re-seal (with why), never a token or a key; exit 1
 * when any record was left as it was.
 */
import { StoreError } from "@miro-token/core";
import type { RekeyReport } from "@miro-token/store-file/crypto";
import { Effect, Option } from "effect";
import { UsageError } from "../Failure.ts";
import { printJson, printLines, table } from "../Output.ts";
import type { RunContext } from "../RunContext.ts";
import { InsecureStorePermissions, selectedStore } from "../StoreAccess.ts";
import { keyringRefusalAsUsage, storeKeyring } from "../StoreKeyring.ts";
import type { StoreRekeyInput } from "./StoreRekeyCommand.ts";

/** Human lines of a rekey report. */
export const rekeyLines = (ctx: RunContext, report: RekeyReport): ReadonlyArray<string> =>
  table(ctx.mode, [
    ["current key", report.current],
    ["examined", String(report.examined)],
    ["re-sealed", String(report.rekeyed)],
    ["already current", String(report.alreadyCurrent)],
    ["written meanwhile", `${report.moved}${report.moved > 0 ? " (run rekey again)" : ""}`],
  ]);

/** `store rekey`. */
export const runStoreRekey = (ctx: RunContext, input: StoreRekeyInput) =>
  Effect.gen(function* () {
    const keyring = yield* storeKeyring;
    if (keyring === undefined) {
      return yield* new UsageError({
        reason: "store rekey needs a keyring",
        hint: 'set MIRO_TOKEN_STORE_KEYS_FILE (a file holding {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}) or MIRO_TOKEN_STORE_KEYS',
      });
    }
    const selection = Option.getOrThrow(yield* selectedStore(input, true));
    const report = yield* keyringRefusalAsUsage(
      selection._tag === "File"
        ? Effect.flatMap(
            Effect.zip(
              Effect.promise(() => import("@miro-token/store-file")),
              InsecureStorePermissions,
            ),
            ([module, insecurePermissions]) =>
              module.FileRekey.rekey({
                directory: selection.directory,
                keyring,
                insecurePermissions,
              }),
          )
        : Effect.flatMap(
            Effect.promise(() => import("@miro-token/store-postgres/selection")),
            (module) => module.rekeySelection(selection, keyring),
          ),
    );
    if (report.quarantined.length > 0) {
      return yield* new StoreError({
        attempts: 0,
        operation: "rekey",
        reason: `${report.quarantined.length} of ${report.examined} records left as they were: ${report.quarantined
          .map(({ id, reason }) => `${id}: ${reason}`)
          .join("; ")}`,
      });
    }
    yield* ctx.mode.json
      ? printJson({ ok: true, command: "store rekey", ...report })
      : printLines(rekeyLines(ctx, report));
  });
