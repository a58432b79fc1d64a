/**
 * The file store's outbox (core's `TokenOutbox`): one JSON document, `outbox/outbox.json` in
 * the store directory, holding each token's last reported state and the events to deliver.
 * Every change is read-modify-write under one cross-process lock (`outbox/outbox.lock`, the
 * same `FileLock` the tokens use) and lands with the same atomic replace (temp file, fsync,
 * rename, directory fsync), so `record` stores a state change and its event in one step, and
 * two watchers over one directory never claim the same event.
 *
 * One document is enough: events are status changes, a handful a day per token. Settled
 * entries older than {@link RETENTION_MS} are dropped on the next write so it stays small.
 * The directory is created on the first write, so a store without webhooks is unchanged.
 *
 * @since 0.1.0
 */
import { join } from "node:path";
import type { OutboxEntry, StoreError, TokenOutbox } from "@miro-token/core";
import { isClaimable, pendingEntry, settled } from "@miro-token/core/internal";
import { Clock, Effect, Option, Schema, Semaphore } from "effect";
import { readFileIfExists, replaceFile } from "./AtomicFile.ts";
import * as FileLock from "./FileLock.ts";
import { DIRECTORY_MODE } from "./StoreDirectory.ts";
import { fsCall, type StoreFs, storeError } from "./StoreFs.ts";

/**
 * Settled (delivered or failed) entries are kept this long, for `/tokens`: 7 days.
 *
 * @category constants
 * @since 0.1.0
 */
export const RETENTION_MS = 7 * 24 * 3_600_000;

const Entry = Schema.Struct({
  event: Schema.Struct({
    id: Schema.String,
    tokenId: Schema.String,
    state: Schema.String,
    body: Schema.String,
    createdAt: Schema.Number,
  }),
  delivery: Schema.Literals(["pending", "delivered", "failed"]),
  attempts: Schema.Number,
  nextAttemptAt: Schema.Number,
  lastError: Schema.optionalKey(Schema.String),
  settledAt: Schema.optionalKey(Schema.Number),
  claimedBy: Schema.optionalKey(Schema.String),
  claimedUntil: Schema.optionalKey(Schema.Number),
});

const OutboxDocument = Schema.Struct({
  version: Schema.Literal(1),
  states: Schema.Record(Schema.String, Schema.String),
  entries: Schema.Array(Entry),
});

type OutboxDocument = typeof OutboxDocument.Type;

const decodeDocument = Schema.decodeUnknownOption(Schema.fromJsonString(OutboxDocument));

const EMPTY: OutboxDocument = { version: 1, states: {}, entries: [] };

/** Drop `undefined` optional fields so the document matches its schema exactly. */
const clean = (entry: OutboxEntry): typeof Entry.Type =>
  JSON.parse(JSON.stringify(entry)) as typeof Entry.Type;

/**
 * The outbox of the store in `directory`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  fs: StoreFs,
  directory: string,
  lock?: FileLock.FileLockOptions | undefined,
): TokenOutbox => {
  const folder = join(directory, "outbox");
  const path = join(folder, "outbox.json");
  const semaphore = Semaphore.makeUnsafe(1);

  const read = (operation: string): Effect.Effect<OutboxDocument, StoreError> =>
    readFileIfExists(fs, path, operation).pipe(
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.succeed(EMPTY),
          onSome: (text) =>
            Option.match(decodeDocument(text), {
              onNone: () =>
                Effect.fail(storeError(operation, "outbox/outbox.json is not readable")),
              onSome: Effect.succeed,
            }),
        }),
      ),
    );

  /** Read, change and replace the document under the lock; `change` returns `undefined` to skip the write. */
  const update = <A>(
    operation: string,
    change: (document: OutboxDocument, now: number) => readonly [A, OutboxDocument | undefined],
  ): Effect.Effect<A, StoreError> =>
    semaphore.withPermits(1)(
      Effect.scoped(
        Effect.gen(function* () {
          yield* fsCall(operation, "mkdir", () =>
            fs.mkdir(folder, { recursive: true, mode: DIRECTORY_MODE }),
          );
          yield* FileLock.acquire(fs, join(folder, "outbox.lock"), lock);
          const now = yield* Clock.currentTimeMillis;
          const [result, next] = change(yield* read(operation), now);
          if (next !== undefined) {
            const kept = next.entries.filter(
              (e) => e.settledAt === undefined || now - e.settledAt < RETENTION_MS,
            );
            yield* replaceFile(
              fs,
              folder,
              "outbox.json",
              JSON.stringify({ ...next, entries: kept }),
              operation,
            );
          }
          return result;
        }),
      ),
    );

  return {
    record: (tokenId, state, decide) =>
      update<{ readonly previous: string | undefined; readonly changed: boolean }>(
        "outbox.record",
        (document) => {
          const previous = document.states[tokenId];
          if (previous === state) return [{ previous, changed: false }, undefined];
          const event = decide(previous);
          const exists =
            event !== undefined && document.entries.some((e) => e.event.id === event.id);
          return [
            { previous, changed: true },
            {
              ...document,
              states: { ...document.states, [tokenId]: state },
              entries:
                event === undefined || exists
                  ? document.entries
                  : [...document.entries, clean(pendingEntry(event))],
            },
          ];
        },
      ),
    claim: ({ owner, now, leaseMs, limit }) =>
      update<ReadonlyArray<OutboxEntry>>("outbox.claim", (document) => {
        const taken: Array<OutboxEntry> = [];
        const entries = document.entries.map((entry) => {
          if (taken.length >= limit || !isClaimable(entry, now)) return entry;
          const claimed = { ...entry, claimedBy: owner, claimedUntil: now + leaseMs };
          taken.push(claimed);
          return claimed;
        });
        return [taken, taken.length === 0 ? undefined : { ...document, entries }];
      }),
    settle: (eventId, owner, outcome) =>
      update("outbox.settle", (document) => {
        const index = document.entries.findIndex((e) => e.event.id === eventId);
        const entry = document.entries[index];
        if (entry === undefined || entry.claimedBy !== owner) return [undefined, undefined];
        const entries = [...document.entries];
        entries[index] = clean(settled(entry, outcome));
        return [undefined, { ...document, entries }];
      }),
    entries: () => read("outbox.entries").pipe(Effect.map((document) => document.entries)),
  };
};
