/**
 * `miro-token refresh`: refresh a token with the store protocol (core's refresher: single
 * flight, the store's lock, re-read, refresh, compare-and-set, only then use), either for one
 * entry of a store directory (`--store <path> [--id <id>]`) or for a plain token-set file
 * (`--token-set <path>`, rewritten atomically). Prints the new expiry and fingerprint; the new
 * access token only with `--show-token`.
 */
import {
  fingerprint,
  type MalformedTokenError,
  makeMemoryStore,
  type RefreshError,
  refresherFor,
  type StoredToken,
  type StoreError,
  TokenClient,
  type TokenStoreShape,
} from "@miro-token/core";
import { Clock, Effect, Option, Redacted, type Scope } from "effect";
import { formatRemaining } from "../DurationText.ts";
import { StoreEntryNotFoundError, UsageError } from "../Failure.ts";
import { isoTime, type OutputMode, printJson, printLines, style, table } from "../Output.ts";
import type { RunContext } from "../RunContext.ts";
import { recordSaved } from "../RunJournal.ts";
import { openStore } from "../StoreAccess.ts";
import { prepareAtomicWrite, readTokenSetFile } from "../TokenSetFile.ts";
import { parseTokenSetText, tokenSetDocument } from "../TokenSetText.ts";
import type { RefreshInput } from "./RefreshCommand.ts";
import { checkId } from "./StoreRun.ts";

/** The result of a refresh. */
export interface RefreshReport {
  readonly id: string | null;
  readonly generation: number;
  readonly fingerprint: string;
  readonly expiresAt: number | null;
  readonly refreshedAt: number;
  /** Only with `--show-token`. */
  readonly accessToken: string | undefined;
}

/** The id to refresh: the given one, or the store's only entry. */
export const chooseId = (
  store: TokenStoreShape,
  id: string | undefined,
): Effect.Effect<string, StoreError | UsageError> =>
  Effect.gen(function* () {
    if (id !== undefined) return id;
    const entries = yield* store.list();
    const only = entries[0];
    if (entries.length === 1 && only !== undefined) return only.id;
    return yield* new UsageError({
      reason:
        entries.length === 0 ? "the store is empty" : `the store holds ${entries.length} tokens`,
      hint: "choose one with --id <id> (see miro-token store list)",
    });
  });

const report = (stored: StoredToken, id: string | null, showToken: boolean) =>
  Effect.gen(function* () {
    return {
      id,
      generation: stored.generation,
      fingerprint: yield* fingerprint(stored.tokenSet.accessToken),
      expiresAt: stored.tokenSet.expiresAt ?? null,
      refreshedAt: yield* Clock.currentTimeMillis,
      accessToken: showToken ? Redacted.value(stored.tokenSet.accessToken) : undefined,
    } satisfies RefreshReport;
  });

/** Refresh one entry of a store. */
export const refreshStored = (
  store: TokenStoreShape,
  id: string | undefined,
  showToken: boolean,
): Effect.Effect<
  RefreshReport,
  RefreshError | StoreError | UsageError | StoreEntryNotFoundError,
  TokenClient
> =>
  Effect.gen(function* () {
    const chosen = yield* chooseId(store, id);
    const current = yield* store.get(chosen);
    if (Option.isNone(current)) return yield* new StoreEntryNotFoundError({ id: chosen });
    if (current.value.tokenSet.refreshToken === undefined) {
      return yield* new UsageError({
        reason: "this token has no refresh token (non-expiring tokens cannot be refreshed)",
      });
    }
    const client = yield* TokenClient;
    const stored = yield* refresherFor(store, client).refresh(chosen, current.value.generation);
    if (stored.generation !== current.value.generation) {
      yield* recordSaved({ what: "store entry", id: chosen, generation: stored.generation });
    }
    return yield* report(stored, chosen, showToken);
  });

const FILE_ENTRY = "token-set-file";

/** Refresh the token set in a file and rewrite the file atomically. */
export const refreshTokenSetFile = (
  path: string,
  showToken: boolean,
): Effect.Effect<
  RefreshReport,
  RefreshError | StoreError | UsageError | MalformedTokenError,
  TokenClient | Scope.Scope
> =>
  Effect.gen(function* () {
    const { text, modifiedAt } = yield* readTokenSetFile(path);
    const tokenSet = yield* parseTokenSetText(text, modifiedAt, "the --token-set file");
    if (tokenSet.refreshToken === undefined) {
      return yield* new UsageError({
        reason: "the token set has no refresh_token (non-expiring tokens cannot be refreshed)",
      });
    }
    const pending = yield* prepareAtomicWrite(path);
    const store = yield* makeMemoryStore([{ id: FILE_ENTRY, tokenSet }]);
    const client = yield* TokenClient;
    const stored = yield* refresherFor(store, client).refresh(FILE_ENTRY, 1);
    const now = yield* Clock.currentTimeMillis;
    yield* pending.commit(`${JSON.stringify(tokenSetDocument(stored.tokenSet, now), null, 2)}\n`);
    yield* recordSaved({ what: "token-set file", id: null, generation: stored.generation });
    return yield* report(stored, null, showToken);
  });

/** The `--json` document of a refresh. */
export const refreshDocument = (result: RefreshReport) => ({
  ok: true as const,
  command: "refresh" as const,
  id: result.id,
  generation: result.generation,
  token: { fingerprint: result.fingerprint },
  expiresAt: result.expiresAt,
  expiresIn:
    result.expiresAt === null
      ? null
      : Math.max(0, Math.round((result.expiresAt - result.refreshedAt) / 1000)),
  ...(result.accessToken === undefined ? {} : { accessToken: result.accessToken }),
});

/** Human lines of a refresh. */
export const refreshLines = (mode: OutputMode, result: RefreshReport): ReadonlyArray<string> =>
  table(mode, [
    ...(result.id === null ? [] : [["id", result.id] as const]),
    ["state", style.green(mode, "refreshed")],
    ["token", `${result.fingerprint} (fingerprint of the new access token)`],
    ["generation", String(result.generation)],
    [
      "expires",
      result.expiresAt === null
        ? "never"
        : `${isoTime(result.expiresAt)} (in ${formatRemaining(result.expiresAt - result.refreshedAt)})`,
    ],
    ...(result.accessToken === undefined ? [] : [["access token", result.accessToken] as const]),
  ]);

/** The command: exactly one of a store entry or a token-set file. */
export const runRefresh = (ctx: RunContext, input: RefreshInput) =>
  Effect.gen(function* () {
    const storeGiven = Option.isSome(input.store) || Option.isSome(input.storeUrlFile);
    if (storeGiven === Option.isSome(input.tokenSet)) {
      return yield* new UsageError({
        reason: "give exactly one of --store <path> or --token-set <path>",
        hint: "miro-token refresh --store ~/.miro-token --id alice",
      });
    }
    const { layer } = yield* ctx.client.connect;
    const id = Option.isSome(input.id) ? yield* checkId(input.id.value) : undefined;
    const result = storeGiven
      ? yield* Effect.flatMap(openStore(input), (store) =>
          refreshStored(store, id, input.showToken),
        ).pipe(Effect.provide(layer))
      : yield* refreshTokenSetFile(Option.getOrThrow(input.tokenSet), input.showToken).pipe(
          Effect.provide(layer),
          Effect.scoped,
        );
    yield* ctx.mode.json
      ? printJson(refreshDocument(result))
      : printLines(refreshLines(ctx.mode, result));
  });
