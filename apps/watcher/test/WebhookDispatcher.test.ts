/**
 * The sender's retry rules on Effect's TestClock, against a real receiver on port 0: a
 * receiver that is down gets retries with exponential backoff and jitter and then the
 * delivery (every attempt with the same event id, each verified by `standardwebhooks`); an
 * event is given up 24 h after it was recorded, never waiting more than an hour; a redirect is
 * a failed attempt and is not followed; a closed port is a retried network error; two senders
 * over one file store send each event once.
 */

import { describe, expect, it } from "@effect/vitest";
import type { OutboxEvent, TokenOutbox } from "@miro-token/core";
import { makeMemoryOutbox } from "@miro-token/core/internal";
import { FileTokenStore } from "@miro-token/store-file";
import { Clock, Effect } from "effect";
import { TestClock } from "effect/testing";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffDelay,
  GIVE_UP_AFTER_MS,
} from "../src/webhooks/WebhookDelivery.ts";
import { makeDispatcher } from "../src/webhooks/WebhookDispatcher.ts";
import { parseWebhookSecret } from "../src/webhooks/WebhookSignature.ts";
import { tempDir } from "./Fixtures.ts";
import { type Receiver, startReceiver, TEST_SECRET, webhookHeaders } from "./WebhookReceiver.ts";

const secret = parseWebhookSecret(TEST_SECRET)!;

const withReceiver = <A, E>(
  answer: number,
  use: (receiver: Receiver) => Effect.Effect<A, E>,
): Effect.Effect<A, E> =>
  Effect.acquireUseRelease(
    Effect.promise(() => startReceiver(answer)),
    use,
    (receiver) => Effect.promise(() => receiver.close()),
  );

const eventAt = (id: string, createdAt: number, tokenId = "token-1"): OutboxEvent => ({
  id,
  tokenId,
  state: "Invalid",
  body: JSON.stringify({ type: "token.state_changed", data: { tokenId } }),
  createdAt,
});

const enqueue = (outbox: TokenOutbox, event: OutboxEvent) =>
  outbox.record(event.tokenId, event.state, () => event);

/** A memory outbox holding one event (`msg_1`, recorded at `createdAt`) and a sender for it. */
const oneEvent = (url: string, createdAt: number) =>
  Effect.gen(function* () {
    const outbox = makeMemoryOutbox();
    yield* enqueue(outbox, eventAt("msg_1", createdAt));
    const sender = makeDispatcher({ outbox, endpoint: { url: new URL(url), secret }, owner: "a" });
    return { outbox, sender };
  });

const only = (outbox: TokenOutbox) => Effect.map(outbox.entries(), (entries) => entries[0]!);

describe("webhook retries", () => {
  it.effect(
    "a receiver that is down gets backoff with jitter, then the delivery, one event id",
    () =>
      withReceiver(503, (receiver) =>
        Effect.gen(function* () {
          const start = Date.now(); // real epoch, so standardwebhooks accepts the timestamps
          yield* TestClock.setTime(start);
          const { outbox, sender } = yield* oneEvent(receiver.url, start);
          const attempts: Array<number> = [];
          for (let n = 1; n <= 4; n++) {
            attempts.push(yield* Clock.currentTimeMillis);
            expect(yield* sender.deliverDue).toBe(1);
            const entry = yield* only(outbox);
            expect(entry).toMatchObject({
              delivery: "pending",
              attempts: n,
              lastError: "HTTP 503",
            });
            // Not due a millisecond early.
            yield* TestClock.setTime(entry.nextAttemptAt - 1);
            expect(yield* sender.deliverDue).toBe(0);
            yield* TestClock.setTime(entry.nextAttemptAt);
          }
          expect(sender.stats.status).toBe("retrying");
          receiver.answer = 204;
          expect(yield* sender.deliverDue).toBe(1);
          expect(yield* only(outbox)).toMatchObject({ delivery: "delivered", attempts: 5 });
          expect(sender.stats).toMatchObject({ status: "ok", delivered: 1, retried: 4 });
          expect(yield* sender.deliverDue).toBe(0);

          const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
          gaps.forEach((gap, i) => {
            const ceiling = BACKOFF_BASE_MS * 2 ** i;
            expect(gap).toBeGreaterThanOrEqual(ceiling / 2);
            expect(gap).toBeLessThanOrEqual(ceiling);
          });
          expect(receiver.received).toHaveLength(5);
          const webhook = new Webhook(TEST_SECRET);
          for (const request of receiver.received) {
            expect(request.headers["webhook-id"]).toBe("msg_1");
            expect(() => webhook.verify(request.body, webhookHeaders(request))).not.toThrow();
          }
        }),
      ),
  );

  it.effect("gives up 24 h after the event was recorded, never waiting more than an hour", () =>
    withReceiver(503, (receiver) =>
      Effect.gen(function* () {
        const { outbox, sender } = yield* oneEvent(receiver.url, 0);
        let previous = 0;
        for (;;) {
          yield* sender.deliverDue;
          const entry = yield* only(outbox);
          if (entry.delivery !== "pending") break;
          expect(entry.nextAttemptAt - previous).toBeLessThanOrEqual(BACKOFF_CAP_MS);
          previous = entry.nextAttemptAt;
          yield* TestClock.setTime(entry.nextAttemptAt);
        }
        const entry = yield* only(outbox);
        expect(entry.delivery).toBe("failed");
        expect(entry.lastError).toBe("gave up after 24 h: HTTP 503");
        expect(previous).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
        expect(previous).toBeGreaterThan(GIVE_UP_AFTER_MS - BACKOFF_CAP_MS);
        expect(receiver.received.length).toBe(entry.attempts);
        expect(sender.stats.failed).toBe(1);
      }),
    ),
  );

  it.effect("a redirect is a failed attempt and is not followed", () =>
    withReceiver(302, (receiver) =>
      Effect.gen(function* () {
        const { outbox, sender } = yield* oneEvent(receiver.url, 0);
        yield* sender.deliverDue;
        expect(yield* only(outbox)).toMatchObject({
          delivery: "pending",
          lastError: "HTTP 302 (redirect not followed)",
        });
        expect(receiver.received.map((r) => r.path)).toEqual(["/hooks/miro"]);
      }),
    ),
  );

  it.effect("a closed port is a network error, retried", () =>
    Effect.gen(function* () {
      const closed = yield* Effect.promise(() => startReceiver());
      yield* Effect.promise(() => closed.close());
      const { outbox, sender } = yield* oneEvent(closed.url, 0);
      yield* sender.deliverDue;
      expect(yield* only(outbox)).toMatchObject({ delivery: "pending", lastError: "ECONNREFUSED" });
    }),
  );

  // Live clock: the file lock's wait for a busy lock is a real wait.
  it.live("two senders over one file store send each event once", () =>
    withReceiver(204, (receiver) =>
      Effect.gen(function* () {
        const dir = tempDir();
        const one = (yield* FileTokenStore.make({ directory: dir.path })).outbox!;
        const two = (yield* FileTokenStore.make({ directory: dir.path })).outbox!;
        for (let i = 0; i < 8; i++) yield* enqueue(one, eventAt(`msg_${i}`, 0, `token-${i}`));
        const senders = [one, two].map((outbox, i) =>
          makeDispatcher({
            outbox,
            endpoint: { url: new URL(receiver.url), secret },
            owner: `r${i}`,
          }),
        );
        yield* Effect.all(
          senders.map((s) => s.deliverDue),
          { concurrency: "unbounded" },
        );
        const ids = receiver.received.map((r) => r.headers["webhook-id"]);
        expect(ids).toHaveLength(8);
        expect(new Set(ids).size).toBe(8);
        const entries = yield* two.entries();
        expect(entries.every((e) => e.delivery === "delivered")).toBe(true);
        dir.cleanup();
      }),
    ),
  );
});

describe("backoffDelay", () => {
  it("doubles from 5 s up to 1 h, jitter within the upper half", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (attempts, random) => {
          const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
          const delay = backoffDelay(attempts, random);
          return delay >= ceiling / 2 && delay <= ceiling;
        },
      ),
      { seed: 42 },
    );
  });
});
