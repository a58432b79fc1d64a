/**
 * The `/events` hub without a socket, on Effect's TestClock: a client's stream opens with the
 * snapshot, then carries each board change and a keep-alive comment every interval (and none
 * before it); a client whose unsent output passes the cap is cut while one that reads is not;
 * closing the hub ends every stream and empties the client set.
 */
import { describe, expect, it } from "@effect/vitest";
import type { WatchedStatus } from "@miro-token/core";
import { Effect, Fiber, Stream } from "effect";
import type { HttpServerResponse } from "effect/http";
import { TestClock } from "effect/testing";
import { makeSseHub, type SseSocket } from "../src/http/SseHub.ts";
import { makeStatusBoard } from "../src/StatusBoard.ts";

const decoder = new TextDecoder();

const stopped = (id: string, reason: string): WatchedStatus => ({
  id,
  fingerprint: "f",
  generation: 1,
  status: { _tag: "ReauthorizeRequired", reason },
});

/** The body stream of an `/events` response. */
const bodyOf = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.body._tag !== "Stream")
    throw new Error(`expected a stream, got ${response.body._tag}`);
  return response.body.stream;
};

/** Let forked fibers run until they wait on something. */
const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow;
});

/** A client that reads everything into `frames`. */
const reader = (response: HttpServerResponse.HttpServerResponse) =>
  Effect.gen(function* () {
    const frames: Array<string> = [];
    const fiber = yield* bodyOf(response).pipe(
      Stream.runForEach((bytes) => Effect.sync(() => frames.push(decoder.decode(bytes)))),
      Effect.forkChild,
    );
    yield* settle;
    return { frames, fiber };
  });

const socket = (unsent: () => number = () => 0): SseSocket & { cuts: number } => {
  const s = {
    cuts: 0,
    unsent,
    cut: () => {
      s.cuts += 1;
    },
  };
  return s;
};

describe("SseHub", () => {
  it.effect("opens with the snapshot, then changes and a keep-alive every interval", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const board = makeStatusBoard();
        const hub = yield* makeSseHub({
          board,
          snapshot: () => ({ count: board.size() }),
          keepAliveInterval: 15_000,
        });
        const { frames, fiber } = yield* reader(hub.respond(socket()));
        expect(hub.clients()).toBe(1);
        expect(frames).toEqual(['retry: 2000\nid: 0\nevent: snapshot\ndata: {"count":0}\n\n']);

        board.apply(stopped("a", "gone"), 0);
        yield* settle;
        expect(frames[1]).toMatch(
          /^id: 1\nevent: status\ndata: \{"id":"a",.*"state":"ReauthorizeRequired"/,
        );

        yield* TestClock.adjust(14_999);
        yield* settle;
        expect(frames.filter((f) => f.startsWith(": keep-alive "))).toHaveLength(0);
        yield* TestClock.adjust(1);
        yield* settle;
        expect(frames.filter((f) => f.startsWith(": keep-alive "))).toHaveLength(1);
        yield* TestClock.adjust(30_000);
        yield* settle;
        expect(frames.filter((f) => f.startsWith(": keep-alive "))).toHaveLength(3);

        yield* hub.close;
        yield* Fiber.join(fiber);
        expect(hub.clients()).toBe(0);
      }),
    ),
  );

  it.effect("cuts a client whose unsent output passes the cap, keeps one that reads", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const board = makeStatusBoard();
        const hub = yield* makeSseHub({
          board,
          snapshot: () => ({}),
          keepAliveInterval: 60_000,
          maxBufferedBytes: 1_000,
        });
        const reading = socket();
        const { frames } = yield* reader(hub.respond(reading));
        // A client that takes the snapshot and then stops reading.
        const stalled = socket();
        const stuck = yield* bodyOf(hub.respond(stalled)).pipe(
          Stream.runForEach(() => Effect.never),
          Effect.forkChild,
        );
        yield* settle;
        expect(hub.clients()).toBe(2);

        const reason = "x".repeat(500);
        board.apply(stopped("a", `1 ${reason}`), 0); // queued: ~700 bytes
        board.apply(stopped("a", `2 ${reason}`), 0); // ~1,400 bytes: over the cap
        yield* settle;
        expect(stalled.cuts).toBe(0);
        board.apply(stopped("a", `3 ${reason}`), 0); // found over the cap: cut
        yield* settle;
        expect(stalled.cuts).toBe(1);
        expect(reading.cuts).toBe(0);
        expect(hub.clients()).toBe(1);
        expect(frames.filter((f) => f.includes("event: status"))).toHaveLength(3);
        yield* Fiber.interrupt(stuck);

        // The socket's own buffer counts too.
        let unsent = 0;
        const slow = socket(() => unsent);
        yield* reader(hub.respond(slow));
        unsent = 2_000;
        board.apply(stopped("a", "4"), 0);
        expect(slow.cuts).toBe(1);
        expect(hub.clients()).toBe(1);
      }),
    ),
  );

  it.effect("after close, a new client gets the snapshot and an ended stream", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const board = makeStatusBoard();
        const hub = yield* makeSseHub({ board, snapshot: () => ({}) });
        yield* hub.close;
        const { frames, fiber } = yield* reader(hub.respond(socket()));
        yield* Fiber.join(fiber);
        expect(frames).toHaveLength(1);
        expect(hub.clients()).toBe(0);
      }),
    ),
  );
});
