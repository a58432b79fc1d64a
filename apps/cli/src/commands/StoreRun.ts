/**
 * `miro-token store list|add|remove --store <path>`: manage a token store directory.
 * `add` reads a token set (Miro's token response JSON) from stdin; `list` shows ids,
 * fingerprints, generations, expiry and the state the stored expiry implies — never tokens.
 */
import {
  fingerprint,
  type StoreError,
  TOKEN_ID_RULE,
  type TokenSet,
  type TokenStoreShape,
  tokenIdProblem,
} from "@miro-token/core";
import { Clock, Effect, Option } from "effect";
import { formatRemaining } from "../DurationText.ts";
import { StoreEntryNotFoundError, UsageError } from "../Failure.ts";
import { isoTime, type OutputMode, printJson, printLines, style, table } from "../Output.ts";
import type { RunContext } from "../RunContext.ts";
import { recordSaved } from "../RunJournal.ts";
import { openStore } from "../StoreAccess.ts";
import { readStdin } from "../TokenInput.ts";
import { parseTokenSetText } from "../TokenSetText.ts";
import type { StoreAddInput, StoreListInput, StoreRemoveInput } from "./StoreCommand.ts";

/** What `list` shows of one entry. */
export interface StoreEntryView {
  readonly id: string;
  readonly fingerprint: string;
  readonly generation: number;
  readonly expiresAt: number | null;
  /** From the stored expiry: `active`, `expired`, or `non-expiring`. */
  readonly state: "active" | "expired" | "non-expiring";
  readonly refreshable: boolean;
  readonly updatedAt: number;
}

/**
 * Refuse an id the store could not hold, by core's one id rule (the store checks the same), as
 * a usage error that does not echo it.
 */
export const checkId = (id: string): Effect.Effect<string, UsageError> => {
  const problem = tokenIdProblem(id);
  return problem === undefined
    ? Effect.succeed(id)
    : Effect.fail(new UsageError({ reason: `--id ${problem} (an id is ${TOKEN_ID_RULE})` }));
};

const view = (
  entry: { id: string; generation: number; tokenSet: TokenSet; updatedAt: number },
  now: number,
) =>
  Effect.map(fingerprint(entry.tokenSet.accessToken), (print): StoreEntryView => {
    const expiresAt = entry.tokenSet.expiresAt;
    return {
      id: entry.id,
      fingerprint: print,
      generation: entry.generation,
      expiresAt: expiresAt ?? null,
      state: expiresAt === undefined ? "non-expiring" : expiresAt > now ? "active" : "expired",
      refreshable: entry.tokenSet.refreshToken !== undefined,
      updatedAt: entry.updatedAt,
    };
  });

/** Every entry of the store, sorted by id. */
export const listStore = (
  store: TokenStoreShape,
  now: number,
): Effect.Effect<ReadonlyArray<StoreEntryView>, StoreError> =>
  Effect.flatMap(store.list(), (entries) =>
    Effect.forEach(
      [...entries].sort((a, b) => a.id.localeCompare(b.id)),
      (entry) => view(entry, now),
    ),
  );

/** Add a new entry; an existing id is refused (remove it first). */
export const addToStore = (
  store: TokenStoreShape,
  id: string,
  tokenSet: TokenSet,
  now: number,
): Effect.Effect<StoreEntryView, StoreError | UsageError> =>
  Effect.gen(function* () {
    const written = yield* store.compareAndSet(id, 0, tokenSet);
    if (written._tag === "Conflict") {
      return yield* new UsageError({
        reason: "the store already holds a token with this id",
        hint: "remove it first with miro-token store remove --id <id>, or choose another --id",
      });
    }
    yield* recordSaved({ what: "store entry", id, generation: written.stored.generation });
    return yield* view(written.stored, now);
  });

/** Remove an entry. */
export const removeFromStore = (
  store: TokenStoreShape,
  id: string,
): Effect.Effect<void, StoreError | StoreEntryNotFoundError> =>
  Effect.gen(function* () {
    const current = yield* store.get(id);
    if (Option.isNone(current)) return yield* new StoreEntryNotFoundError({ id });
    yield* store.delete(id);
    yield* recordSaved({ what: "store entry removed", id, generation: null });
  });

/** Human lines of `list`. */
export const storeListLines = (
  mode: OutputMode,
  entries: ReadonlyArray<StoreEntryView>,
  now: number,
): ReadonlyArray<string> => {
  if (entries.length === 0) return ["(the store is empty)"];
  const header = ["ID", "FINGERPRINT", "GEN", "EXPIRES", "STATE", "REFRESH"];
  const rows = entries.map((entry) => [
    entry.id,
    entry.fingerprint,
    String(entry.generation),
    entry.expiresAt === null
      ? "never"
      : `${isoTime(entry.expiresAt)} (${entry.expiresAt > now ? `in ${formatRemaining(entry.expiresAt - now)}` : "expired"})`,
    entry.state,
    entry.refreshable ? "yes" : "no",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const paint = (state: string, text: string) =>
    state === "active"
      ? style.green(mode, text)
      : state === "expired"
        ? style.red(mode, text)
        : text;
  return [style.bold(mode, line(header)), ...rows.map((row) => paint(row[4] ?? "", line(row)))];
};

/** Human lines of `add`. */
export const storeAddLines = (mode: OutputMode, entry: StoreEntryView): ReadonlyArray<string> =>
  table(mode, [
    ["added", entry.id],
    ["token", `${entry.fingerprint} (fingerprint)`],
    ["generation", String(entry.generation)],
    ["expires", entry.expiresAt === null ? "never" : isoTime(entry.expiresAt)],
    ["refreshable", entry.refreshable ? "yes" : "no (no refresh token)"],
  ]);

/** `store list`. */
export const runStoreList = (ctx: RunContext, input: StoreListInput) =>
  Effect.gen(function* () {
    const store = yield* openStore(input);
    const now = yield* Clock.currentTimeMillis;
    const entries = yield* listStore(store, now);
    yield* ctx.mode.json
      ? printJson({ ok: true, command: "store list", tokens: entries })
      : printLines(storeListLines(ctx.mode, entries, now));
  });

/** `store add`: the token set from stdin. */
export const runStoreAdd = (ctx: RunContext, input: StoreAddInput) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    const tokenSet = yield* parseTokenSetText(yield* readStdin(), now, "stdin");
    const id = yield* checkId(Option.getOrUndefined(input.id) ?? tokenSet.userId ?? "default");
    const store = yield* openStore(input);
    const entry = yield* addToStore(store, id, tokenSet, now);
    yield* ctx.mode.json
      ? printJson({ ok: true, command: "store add", token: entry })
      : printLines(storeAddLines(ctx.mode, entry));
  });

/** `store remove`. */
export const runStoreRemove = (ctx: RunContext, input: StoreRemoveInput) =>
  Effect.gen(function* () {
    const id = yield* checkId(input.id);
    const store = yield* openStore(input);
    yield* removeFromStore(store, id);
    yield* ctx.mode.json
      ? printJson({ ok: true, command: "store remove", id })
      : printLines([`removed ${id}`]);
  });
