/**
 * The sender: a loop that claims due events from the store's outbox, delivers each once and
 * settles the outcome. The claim is a lease in the store, so several watchers over one store
 * send each event once between them, and a sender killed mid-delivery leaves a claim that
 * lapses: the event is sent again (at least once; the receiver drops the duplicate by its
 * `webhook-id`). All waiting goes through Effect's `Clock`, so tests drive it with `TestClock`.
 *
 * @since 0.1.0
 */
import type { DeliveryOutcome, OutboxEntry, TokenOutbox } from "@miro-token/core";
import { Clock, Effect, Random } from "effect";
import { attempt, backoffDelay, GIVE_UP_AFTER_MS } from "./WebhookDelivery.ts";
import type { WebhookSecret } from "./WebhookSignature.ts";

/**
 * Where events go.
 *
 * @category models
 * @since 0.1.0
 */
export interface WebhookEndpoint {
  readonly url: URL;
  readonly secret: WebhookSecret;
}

/**
 * What the sender has done since start (for `/tokens` and `/metrics`).
 *
 * @category models
 * @since 0.1.0
 */
export interface DispatcherStats {
  /** `gone`: the receiver answered 410, nothing more is sent until a restart. */
  status: "ok" | "retrying" | "gone";
  delivered: number;
  retried: number;
  failed: number;
  lastError: string | undefined;
}

/**
 * Options of {@link makeDispatcher}.
 *
 * @category models
 * @since 0.1.0
 */
export interface DispatcherOptions {
  readonly outbox: TokenOutbox;
  readonly endpoint: WebhookEndpoint;
  /** This sender's id in claims. */
  readonly owner: string;
  /** @default 60000 */
  readonly leaseMs?: number | undefined;
  /** @default 10000 */
  readonly timeoutMs?: number | undefined;
}

/**
 * A sender: `deliverDue` runs one round; the caller repeats it (see `Webhooks.ts`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeDispatcher = (options: DispatcherOptions) => {
  const { outbox, endpoint, owner } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const stats: DispatcherStats = {
    status: "ok",
    delivered: 0,
    retried: 0,
    failed: 0,
    lastError: undefined,
  };

  const outcomeOf = (entry: OutboxEntry, now: number) =>
    Effect.gen(function* () {
      const result = yield* attempt({
        url: endpoint.url,
        secret: endpoint.secret,
        id: entry.event.id,
        body: entry.event.body,
        now,
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      const at = yield* Clock.currentTimeMillis;
      if (result._tag === "Ok") return { _tag: "Delivered", at } satisfies DeliveryOutcome;
      if (result._tag === "Gone") {
        return {
          _tag: "Failed",
          at,
          error: "receiver gone (HTTP 410): deliveries stopped",
        } satisfies DeliveryOutcome;
      }
      const nextAttemptAt = at + backoffDelay(entry.attempts + 1, yield* Random.next);
      return nextAttemptAt - entry.event.createdAt > GIVE_UP_AFTER_MS
        ? ({ _tag: "Failed", at, error: `gave up after 24 h: ${result.error}` } as const)
        : ({ _tag: "Retry", at, nextAttemptAt, error: result.error } as const);
    });

  /** One round: claim what is due and deliver it, oldest first. Returns how many were tried. */
  const deliverDue = Effect.gen(function* () {
    if (stats.status === "gone") return 0;
    const now = yield* Clock.currentTimeMillis;
    const claimed = yield* outbox.claim({ owner, now, leaseMs, limit: 16 });
    for (const entry of claimed) {
      const outcome = yield* outcomeOf(entry, yield* Clock.currentTimeMillis);
      yield* outbox.settle(entry.event.id, owner, outcome);
      if (outcome._tag === "Delivered") {
        stats.delivered += 1;
        if (stats.status === "retrying") stats.status = "ok";
        continue;
      }
      stats.lastError = outcome.error;
      if (outcome._tag === "Retry") {
        stats.retried += 1;
        stats.status = "retrying";
        continue;
      }
      stats.failed += 1;
      if (outcome.error.startsWith("receiver gone")) {
        stats.status = "gone";
        break; // the rest of the claim lapses and stays pending for a later run
      }
    }
    return claimed.length;
  }).pipe(
    Effect.catchTag("StoreError", (error) =>
      Effect.sync(() => {
        stats.lastError = `store: ${error.operation} (${error.reason})`;
        return 0;
      }),
    ),
  );

  return { deliverDue, stats };
};
