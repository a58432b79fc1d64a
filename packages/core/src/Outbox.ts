/**
 * The durable outbox seam: status-change events waiting to be delivered (the watcher's signed
 * webhooks). It lives beside the tokens in the store, as an optional part of `TokenStore`
 * (`store.outbox`), so a store that cannot hold one still works and the seam grows additively.
 *
 * Why it is shaped this way:
 * - `record` is the one durable step of a status change: it sets the token's last reported
 *   state and enqueues the event in ONE atomic write. A crash before it loses nothing (the
 *   watcher sees the same status again after a restart and records it then); a crash after it
 *   loses nothing either (the event is stored). A second `record` of the same state is a no-op,
 *   so a restart never mints a second event id for one transition.
 * - `claim` hands due events to one sender at a time: a claim is a lease (`owner`, `until`),
 *   so with several replicas each event is sent by one of them, and a crashed sender's claim
 *   lapses and another takes over (at least once; receivers drop duplicates by event id).
 * - `settle` records the outcome of one attempt, only for the current claim holder.
 *
 * {@link makeMemoryOutbox} is the reference implementation (one process);
 * `@miro-token/store-file` and `@miro-token/store-postgres` implement the same contract.
 *
 * @since 0.1.0
 */
import { Effect } from "effect";
import type { StoreError } from "./Errors.ts";

/**
 * One event to deliver. `body` is the exact JSON text that is signed and sent.
 *
 * @category models
 * @since 0.1.0
 */
export interface OutboxEvent {
  /** Unique per transition: the receiver's deduplication key (`webhook-id`). */
  readonly id: string;
  readonly tokenId: string;
  /** The new state the event reports (e.g. `Invalid`). */
  readonly state: string;
  readonly body: string;
  /** Epoch ms when it was recorded. */
  readonly createdAt: number;
}

/**
 * Where an event stands: waiting (`pending`, possibly after failed attempts), `delivered`,
 * or `failed` for good (retries exhausted, or the receiver said it is gone).
 *
 * @category models
 * @since 0.1.0
 */
export type DeliveryState = "pending" | "delivered" | "failed";

/**
 * An event with its delivery bookkeeping.
 *
 * @category models
 * @since 0.1.0
 */
export interface OutboxEntry {
  readonly event: OutboxEvent;
  readonly delivery: DeliveryState;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Epoch ms of the next attempt (pending only). */
  readonly nextAttemptAt: number;
  /** The last failure, secret-free (e.g. `HTTP 503`, `timeout`). */
  readonly lastError?: string | undefined;
  /** Epoch ms of delivery or of giving up. */
  readonly settledAt?: number | undefined;
  /** The claim holder and the claim's end (epoch ms), while claimed. */
  readonly claimedBy?: string | undefined;
  readonly claimedUntil?: number | undefined;
}

/**
 * The outcome of one delivery attempt.
 *
 * @category models
 * @since 0.1.0
 */
export type DeliveryOutcome =
  | { readonly _tag: "Delivered"; readonly at: number }
  | {
      readonly _tag: "Retry";
      readonly at: number;
      readonly nextAttemptAt: number;
      readonly error: string;
    }
  | { readonly _tag: "Failed"; readonly at: number; readonly error: string };

/**
 * Options of {@link TokenOutbox.claim}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ClaimOptions {
  /** Who claims (one id per watcher process). */
  readonly owner: string;
  /** Epoch ms. */
  readonly now: number;
  /** How long the claim holds, ms: longer than one delivery attempt. */
  readonly leaseMs: number;
  readonly limit: number;
}

/**
 * What an outbox offers.
 *
 * @category models
 * @since 0.1.0
 */
export interface TokenOutbox {
  /**
   * Set `tokenId`'s last reported state to `state` and, in the same atomic write, enqueue the
   * event `decide(previous)` returns (none when it returns `undefined`). Nothing is written
   * when `state` equals the stored one. Returns the previous state and whether it changed.
   */
  readonly record: (
    tokenId: string,
    state: string,
    decide: (previous: string | undefined) => OutboxEvent | undefined,
  ) => Effect.Effect<
    { readonly previous: string | undefined; readonly changed: boolean },
    StoreError
  >;
  /** Claim up to `limit` pending events that are due and not claimed by someone else. */
  readonly claim: (options: ClaimOptions) => Effect.Effect<ReadonlyArray<OutboxEntry>, StoreError>;
  /** Record an attempt's outcome and release the claim; ignored unless `owner` holds it. */
  readonly settle: (
    eventId: string,
    owner: string,
    outcome: DeliveryOutcome,
  ) => Effect.Effect<void, StoreError>;
  /** Every entry, oldest first (for `/tokens` and `/metrics`). */
  readonly entries: () => Effect.Effect<ReadonlyArray<OutboxEntry>, StoreError>;
}

/**
 * The pure core every implementation shares: which entries a claim may take.
 *
 * @category guards
 * @since 0.1.0
 */
export const isClaimable = (entry: OutboxEntry, now: number): boolean =>
  entry.delivery === "pending" &&
  entry.nextAttemptAt <= now &&
  (entry.claimedUntil === undefined || entry.claimedUntil <= now);

/**
 * The entry after `outcome` (the claim released).
 *
 * @category transitions
 * @since 0.1.0
 */
export const settled = (entry: OutboxEntry, outcome: DeliveryOutcome): OutboxEntry => {
  const base = { event: entry.event, attempts: entry.attempts + 1 };
  switch (outcome._tag) {
    case "Delivered":
      return {
        ...base,
        delivery: "delivered",
        nextAttemptAt: entry.nextAttemptAt,
        settledAt: outcome.at,
      };
    case "Retry":
      return {
        ...base,
        delivery: "pending",
        nextAttemptAt: outcome.nextAttemptAt,
        lastError: outcome.error,
      };
    case "Failed":
      return {
        ...base,
        delivery: "failed",
        nextAttemptAt: entry.nextAttemptAt,
        lastError: outcome.error,
        settledAt: outcome.at,
      };
  }
};

/**
 * A new pending entry for `event`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const pendingEntry = (event: OutboxEvent): OutboxEntry => ({
  event,
  delivery: "pending",
  attempts: 0,
  nextAttemptAt: event.createdAt,
});

/**
 * An in-memory outbox (one process; lost with it): the reference implementation, and what
 * `TokenStore.layerMemory` carries.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemoryOutbox = (): TokenOutbox => {
  const states = new Map<string, string>();
  const entries = new Map<string, OutboxEntry>();
  return {
    record: (tokenId, state, decide) =>
      Effect.sync(() => {
        const previous = states.get(tokenId);
        if (previous === state) return { previous, changed: false };
        const event = decide(previous);
        states.set(tokenId, state);
        if (event !== undefined && !entries.has(event.id))
          entries.set(event.id, pendingEntry(event));
        return { previous, changed: true };
      }),
    claim: ({ owner, now, leaseMs, limit }) =>
      Effect.sync(() => {
        const taken: Array<OutboxEntry> = [];
        for (const entry of entries.values()) {
          if (taken.length >= limit) break;
          if (!isClaimable(entry, now)) continue;
          const claimed = { ...entry, claimedBy: owner, claimedUntil: now + leaseMs };
          entries.set(entry.event.id, claimed);
          taken.push(claimed);
        }
        return taken;
      }),
    settle: (eventId, owner, outcome) =>
      Effect.sync(() => {
        const entry = entries.get(eventId);
        if (entry?.claimedBy !== owner) return;
        entries.set(eventId, settled(entry, outcome));
      }),
    entries: () => Effect.sync(() => [...entries.values()]),
  };
};
