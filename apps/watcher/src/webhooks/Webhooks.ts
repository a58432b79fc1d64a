/**
 * The watcher's webhooks, wired: each board change is recorded in the store's outbox (one
 * atomic write per state change, in the order the changes happened, by one fiber reading a
 * queue); the sender and the refresh-token sweep run as fibers in the watcher's scope; and a
 * summary is kept for `/tokens` and the webhook metrics (`WebhookMetrics.ts`), refreshed after
 * every round, so the HTTP handlers and metric reads stay synchronous.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto";
import type { OutboxEntry, RefreshTokenAge, TokenOutbox, TokenStoreShape } from "@miro-token/core";
import { type Cause, Effect, Fiber, Queue, Stream } from "effect";
import type { BoardChange, StatusBoard } from "../StatusBoard.ts";
import { makeExpirySweep } from "./RefreshTokenSweep.ts";
import { makeDispatcher, type WebhookEndpoint } from "./WebhookDispatcher.ts";
import { eventBody, isReported, type WebhookState, webhookStateOf } from "./WebhookEvents.ts";
import { displayUrl } from "./WebhookUrl.ts";

/**
 * The webhook settings of a watcher.
 *
 * @category models
 * @since 0.1.0
 */
export interface WebhookOptions extends WebhookEndpoint {
  readonly events: ReadonlySet<WebhookState>;
  /** Sender poll interval, ms. @default 1000 */
  readonly pollMs?: number | undefined;
  /** One attempt's timeout, ms; a claim lasts twice as long. @default 10000 */
  readonly timeoutMs?: number | undefined;
  /** How often refresh token ages are checked, ms. @default 60000 */
  readonly sweepMs?: number | undefined;
}

/**
 * Delivery state as `/tokens` shows it.
 *
 * @category models
 * @since 0.1.0
 */
export interface WebhookSummary {
  readonly url: string;
  readonly status: "ok" | "retrying" | "gone";
  readonly pending: number;
  readonly delivered: number;
  readonly failed: number;
  readonly lastError: string | null;
  /** The latest events (up to 20), newest last. */
  readonly recent: ReadonlyArray<{
    readonly id: string;
    readonly tokenId: string;
    readonly state: string;
    readonly delivery: string;
    readonly attempts: number;
    readonly lastError: string | null;
  }>;
}

/**
 * Record one change: an event when {@link isReported} says so.
 *
 * @category recording
 * @since 0.1.0
 */
export const recordChange = (
  outbox: TokenOutbox,
  events: ReadonlySet<WebhookState>,
  change: Pick<BoardChange, "view">,
  now: number,
  state: WebhookState | undefined = webhookStateOf(change.view.state),
) => {
  if (state === undefined) return Effect.void;
  return outbox
    .record(change.view.id, state, (previous) =>
      isReported(events, previous, state)
        ? {
            id: `msg_${randomUUID()}`,
            tokenId: change.view.id,
            state,
            body: eventBody(change.view, previous, state, now),
            createdAt: now,
          }
        : undefined,
    )
    .pipe(Effect.asVoid);
};

/** One change waiting to be recorded, with the time it happened. */
interface Recording {
  readonly change: Pick<BoardChange, "view">;
  readonly state: WebhookState | undefined;
  readonly now: number;
}

const summarize = (
  url: string,
  stats: ReturnType<typeof makeDispatcher>["stats"],
  entries: ReadonlyArray<OutboxEntry>,
): WebhookSummary => ({
  url,
  status: stats.status,
  pending: entries.filter((e) => e.delivery === "pending").length,
  delivered: entries.filter((e) => e.delivery === "delivered").length,
  failed: entries.filter((e) => e.delivery === "failed").length,
  lastError: stats.lastError ?? null,
  recent: entries.slice(-20).map((e) => ({
    id: e.event.id,
    tokenId: e.event.tokenId,
    state: e.event.state,
    delivery: e.delivery,
    attempts: e.attempts,
    lastError: e.lastError ?? null,
  })),
});

/**
 * Start recording and sending, in the current scope. `onChange` is the board listener; closing
 * the scope stops the sweep, writes the recordings queued so far, then stops the sender. `age`
 * is the watch's refresh token lifetime and margin, so `RefreshTokenExpiring` is judged by the
 * same rule as the early renewal.
 *
 * @category constructors
 * @since 0.1.0
 */
export const startWebhooks = (
  store: TokenStoreShape,
  outbox: TokenOutbox,
  board: StatusBoard,
  options: WebhookOptions,
  age: RefreshTokenAge = {},
) =>
  Effect.gen(function* () {
    const url = displayUrl(options.url);
    const dispatcher = makeDispatcher({
      outbox,
      endpoint: options,
      owner: `watcher-${randomUUID()}`,
      timeoutMs: options.timeoutMs,
      leaseMs: 2 * (options.timeoutMs ?? 10_000),
    });
    let summary = summarize(url, dispatcher.stats, []);
    const refresh = outbox.entries().pipe(
      Effect.tap((entries) =>
        Effect.sync(() => {
          summary = summarize(url, dispatcher.stats, entries);
        }),
      ),
      Effect.ignore,
    );
    const sender = yield* dispatcher.deliverDue.pipe(
      Effect.andThen(refresh),
      Effect.andThen(Effect.sleep(options.pollMs ?? 1_000)),
      Effect.repeat({ while: () => dispatcher.stats.status !== "gone" }),
      Effect.andThen(refresh),
      Effect.forkScoped,
    );
    // Changes are recorded one after another, in order: a later state never overtakes an earlier.
    const changes = yield* Queue.unbounded<Recording, Cause.Done>();
    const recorder = yield* Stream.fromQueue(changes).pipe(
      Stream.runForEach(({ change, state, now }) =>
        recordChange(outbox, options.events, change, now, state).pipe(
          Effect.catchTag("StoreError", (error) =>
            Effect.sync(() => {
              dispatcher.stats.lastError = `store: ${error.operation} (${error.reason})`;
            }),
          ),
          Effect.andThen(refresh),
        ),
      ),
      Effect.forkScoped,
    );
    const enqueue = (
      change: Pick<BoardChange, "view">,
      state: WebhookState | undefined = webhookStateOf(change.view.state),
    ) => {
      Queue.offerUnsafe(changes, { change, state, now: Date.now() });
    };
    const viewOf = (id: string) => board.snapshot().find((row) => row.id === id);
    const sweep = makeExpirySweep(
      store,
      (id) => {
        const view = viewOf(id);
        if (view !== undefined) enqueue({ view }, "RefreshTokenExpiring");
      },
      (id) => {
        const view = viewOf(id);
        if (view !== undefined) enqueue({ view });
      },
      age,
    );
    const sweeper = yield* sweep.run.pipe(
      Effect.andThen(Effect.sleep(options.sweepMs ?? 60_000)),
      Effect.forever,
      Effect.forkScoped,
    );
    // Added after the forks, so it runs before they are interrupted.
    yield* Effect.addFinalizer(() =>
      Fiber.interrupt(sweeper).pipe(
        Effect.andThen(Queue.end(changes)),
        Effect.andThen(Fiber.await(recorder)),
        Effect.andThen(Fiber.interrupt(sender)),
      ),
    );
    // Back to Active while the refresh token is still expiring is no recovery.
    const onChange = (change: BoardChange) => {
      if (change.view.state === "Active" && sweep.reported(change.view.id)) return;
      enqueue(change);
    };
    return { onChange, summary: () => summary, stats: () => dispatcher.stats };
  });
