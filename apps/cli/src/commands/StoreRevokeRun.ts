/**
 * The body of `miro-token store revoke --store <path|url> --id <id>` (flags and help:
 * `StoreRevokeCommand.ts`): revoke a stored token at Miro, then delete its entry, in that order
 * and under the entry's store lock, so nothing is half done in a way that loses a live token:
 *
 * - the lock keeps a watcher from rotating the pair between the read and the revoke (a revoke
 *   of a rotated-away access token would leave the new pair alive, and then forgotten);
 * - Miro failing or refusing leaves the entry as it was (exit 5 / 4);
 * - a store failing after the revoke leaves a dead token stored, said in the error (exit 1):
 *   running the command again removes it, since a token Miro no longer knows counts as revoked
 *   once token info confirms it is dead (`isDead`, the check `revoke --verify` makes; a 404
 *   alone proves nothing: Miro answers it for a token of another app too).
 *
 * v2 only: the stored token goes in the request body, never in a URL (no `--allow-v1-revoke`
 * here). Output names the token by fingerprint only.
 */
import {
  fingerprint,
  type RequestError,
  type RevokeError,
  type RevokeRejectedError,
  type RevokeResult,
  StoreError,
  TokenClient,
  type TokenStoreShape,
} from "@miro-token/core";
import { alreadyRevokedResult } from "@miro-token/core/internal";
import { Effect, Option, type Redacted } from "effect";
import { StoreEntryNotFoundError } from "../Failure.ts";
import { type OutputMode, printJson, printLines, style, table } from "../Output.ts";
import type { RunContext } from "../RunContext.ts";
import { recordSaved } from "../RunJournal.ts";
import { openStore } from "../StoreAccess.ts";
import { isDead } from "./RevokeRun.ts";
import type { StoreRevokeInput } from "./StoreRevokeCommand.ts";
import { checkId } from "./StoreRun.ts";

/** The result of `store revoke`. */
export interface StoreRevokeReport {
  readonly id: string;
  readonly fingerprint: string;
  readonly generation: number;
  readonly endpoint: RevokeResult["endpoint"];
  /** Miro no longer knew the token and token info confirmed it dead (revoked before). */
  readonly alreadyRevoked: boolean;
}

/**
 * A rejected revoke counts as done only when token info now says the token is dead; a live
 * token keeps the rejection, and a failed check its own error.
 */
const confirmDead = (token: Redacted.Redacted<string>, rejected: RevokeRejectedError) =>
  Effect.flatMap(isDead(token), (dead) =>
    dead ? Effect.succeed(alreadyRevokedResult("v2")) : Effect.fail(rejected),
  );

/** Revoke the entry's token at Miro, then delete the entry, holding its lock throughout. */
export const revokeStored = (
  store: TokenStoreShape,
  id: string,
): Effect.Effect<
  StoreRevokeReport,
  RevokeError | RequestError | StoreError | StoreEntryNotFoundError,
  TokenClient
> =>
  store.withLock(
    id,
    Effect.gen(function* () {
      const current = yield* store.get(id);
      if (Option.isNone(current)) return yield* new StoreEntryNotFoundError({ id });
      const { accessToken } = current.value.tokenSet;
      const result = yield* TokenClient.revoke(accessToken).pipe(
        Effect.catchTag("RevokeRejectedError", (rejected) => confirmDead(accessToken, rejected)),
      );
      yield* store.delete(id).pipe(
        Effect.mapError(
          (error) =>
            new StoreError({
              attempts: error.attempts,
              operation: "delete",
              reason: `the token is revoked at Miro, but its entry could not be removed (${error.reason}); run miro-token store revoke again to remove it`,
            }),
        ),
      );
      yield* recordSaved({ what: "store entry removed", id, generation: null });
      return {
        id,
        fingerprint: yield* fingerprint(accessToken),
        generation: current.value.generation,
        endpoint: result.endpoint,
        alreadyRevoked: result.alreadyRevoked,
      };
    }),
  );

/** The `--json` document of a successful `store revoke`. */
export const storeRevokeDocument = (report: StoreRevokeReport) => ({
  ok: true as const,
  command: "store revoke" as const,
  id: report.id,
  token: { fingerprint: report.fingerprint },
  generation: report.generation,
  revoked: true as const,
  endpoint: report.endpoint,
  alreadyRevoked: report.alreadyRevoked,
  removed: true as const,
});

/** Human lines of a successful `store revoke`. */
export const storeRevokeLines = (
  mode: OutputMode,
  report: StoreRevokeReport,
): ReadonlyArray<string> =>
  table(mode, [
    ["revoked", report.id],
    ["token", `${report.fingerprint} (fingerprint)`],
    [
      "state",
      style.yellow(mode, report.alreadyRevoked ? "already dead at Miro" : "revoked at Miro"),
    ],
    ["endpoint", report.endpoint],
    ["store", "entry removed"],
  ]);

/** `store revoke`: the id, the store, the client; prints the report. */
export const runStoreRevoke = (ctx: RunContext, input: StoreRevokeInput) =>
  Effect.gen(function* () {
    const id = yield* checkId(input.id);
    const store = yield* openStore(input);
    const { layer } = yield* ctx.client.connect;
    const report = yield* revokeStored(store, id).pipe(Effect.provide(layer));
    yield* ctx.mode.json
      ? printJson(storeRevokeDocument(report))
      : printLines(storeRevokeLines(ctx.mode, report));
  });
