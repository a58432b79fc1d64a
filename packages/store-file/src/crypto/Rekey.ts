/**
 * `rekey`: re-seal every record that is not under the keyring's current key (plaintext, or an
 * older key), online, through the store's own protocol — for each candidate, inside
 * `withLock(id)`: re-read its key id (another writer may have re-sealed it meanwhile), read
 * the entry, and `compareAndSet` it at its generation with the same token set, which the store
 * seals under the current key. A refresher holds the same lock, so a refresh and a rekey of
 * one token never interleave, and the compare-and-set fences anything that does not take the
 * lock: no update is lost. Every step is idempotent, so a rekey killed at any point is resumed
 * by running it again (records already under the current key are skipped).
 *
 * A lost refresh (an unresolved refresh intent: a refresher died after sending) is carried to
 * the re-sealed generation, which holds the same refresh token, so the next refresh still
 * knows that token's outcome was lost.
 *
 * A record that cannot be read (its key is missing, it does not authenticate) is left exactly
 * as it is and reported under `quarantined`, by id and reason (never its contents); the run
 * goes on. Each store supplies the candidates and the key-id probe; this module is the rule.
 *
 * @since 0.1.0
 */
import { type StoreError, type TokenStoreShape, unresolvedIntent } from "@miro-token/core";
import { Effect, Option, Stream } from "effect";

/**
 * What a store hands {@link rekeyStore}.
 *
 * @category models
 * @since 0.1.0
 */
export interface RekeyTarget {
  readonly store: TokenStoreShape;
  /** The id every write seals under now. */
  readonly current: string;
  /** Ids whose record may not be under `current` (a superset is fine). */
  readonly candidates: Stream.Stream<string, StoreError>;
  /** The key id of `id`'s record now: `null` when plaintext, `None` when it is gone. */
  readonly keyIdOf: (id: string) => Effect.Effect<Option.Option<string | null>, StoreError>;
}

/**
 * Options of {@link rekeyStore}.
 *
 * @category models
 * @since 0.1.0
 */
export interface RekeyOptions {
  /** Records re-sealed at once. @default 4 */
  readonly concurrency?: number | undefined;
  /** Called after each record with its outcome (progress lines, tests). */
  readonly onRecord?: ((id: string, outcome: RekeyOutcome) => Effect.Effect<void>) | undefined;
}

/**
 * What happened to one record.
 *
 * @category models
 * @since 0.1.0
 */
export type RekeyOutcome = "rekeyed" | "current" | "gone" | "moved" | "quarantined";

/**
 * What a run did. `moved`: another writer wrote the record between the read and the write
 * (run again to be sure it is under the current key).
 *
 * @category models
 * @since 0.1.0
 */
export interface RekeyReport {
  readonly current: string;
  readonly examined: number;
  readonly rekeyed: number;
  readonly alreadyCurrent: number;
  readonly gone: number;
  readonly moved: number;
  readonly quarantined: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
}

const rekeyOne = (target: RekeyTarget, id: string) =>
  target.store
    .withLock(
      id,
      Effect.gen(function* () {
        const keyId = yield* target.keyIdOf(id);
        if (Option.isNone(keyId)) return "gone" as const;
        if (keyId.value === target.current) return "current" as const;
        const stored = yield* target.store.get(id);
        if (Option.isNone(stored)) return "gone" as const;
        const { generation, tokenSet } = stored.value;
        const written = yield* target.store.compareAndSet(id, generation, tokenSet);
        if (written._tag === "Conflict") return "moved" as const;
        const lost = unresolvedIntent(stored.value);
        if (lost !== undefined) {
          const next = { generation: written.stored.generation, startedAt: lost.startedAt };
          yield* target.store.recordRefreshIntent(id, next);
        }
        return "rekeyed" as const;
      }),
    )
    .pipe(
      Effect.map((outcome) => ({ id, outcome, reason: "" })),
      Effect.catchTag("StoreError", (error) =>
        Effect.succeed({ id, outcome: "quarantined" as const, reason: error.reason }),
      ),
    );

/**
 * Re-seal every candidate not under `target.current`. Fails only when the candidates cannot
 * be listed; a record that cannot be read or written is reported, not fatal.
 *
 * @category rekey
 * @since 0.1.0
 */
export const rekeyStore = (
  target: RekeyTarget,
  options: RekeyOptions = {},
): Effect.Effect<RekeyReport, StoreError> =>
  target.candidates.pipe(
    Stream.mapEffect(
      (id) =>
        Effect.tap(
          rekeyOne(target, id),
          (done) => options.onRecord?.(done.id, done.outcome) ?? Effect.void,
        ),
      { concurrency: options.concurrency ?? 4 },
    ),
    Stream.runFold(
      (): RekeyReport => ({
        current: target.current,
        examined: 0,
        rekeyed: 0,
        alreadyCurrent: 0,
        gone: 0,
        moved: 0,
        quarantined: [],
      }),
      (report, done): RekeyReport => ({
        ...report,
        examined: report.examined + 1,
        rekeyed: report.rekeyed + (done.outcome === "rekeyed" ? 1 : 0),
        alreadyCurrent: report.alreadyCurrent + (done.outcome === "current" ? 1 : 0),
        gone: report.gone + (done.outcome === "gone" ? 1 : 0),
        moved: report.moved + (done.outcome === "moved" ? 1 : 0),
        quarantined:
          done.outcome === "quarantined"
            ? [...report.quarantined, { id: done.id, reason: done.reason }]
            : report.quarantined,
      }),
    ),
  );
