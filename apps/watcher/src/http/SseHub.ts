/**
 * `/events`: the status board as Server-Sent Events, one effect `Stream` per client.
 *
 * A client gets the board's snapshot first (`event: snapshot`), then one `event: status` per
 * change, and a comment line every `keepAliveInterval` (an effect sleep, so the TestClock
 * drives it) so proxies keep the connection open. Each event is serialized and encoded once
 * and offered to every client's queue; the server writes a queue out as fast as the socket
 * drains. Backpressure: a client whose unsent output (its queue plus the socket's buffer)
 * passes `maxBufferedBytes` — it stopped reading — is disconnected instead of buffered
 * without bound; its `EventSource` reconnects and gets a fresh snapshot. A connection that
 * closes interrupts its stream, whose finalizer takes the client out of the set at once.
 *
 * @since 0.1.0
 */

import type { Cause } from "effect";
import { Effect, Queue, type Scope, Stream } from "effect";
import { HttpServerResponse } from "effect/http";
import type { BoardChange, StatusBoard } from "../StatusBoard.ts";

/**
 * The socket a client's stream is written to, as far as the hub needs it.
 *
 * @category models
 * @since 0.1.0
 */
export interface SseSocket {
  /** Bytes written but not yet sent (Node's `writableLength`). */
  readonly unsent: () => number;
  /** Drop the connection (the client stopped reading). */
  readonly cut: () => void;
}

/**
 * Options of {@link makeSseHub}.
 *
 * @category models
 * @since 0.1.0
 */
export interface SseHubOptions {
  readonly board: StatusBoard;
  /** The document a client's first event carries (`/tokens`). */
  readonly snapshot: () => unknown;
  /** @default 15000 */
  readonly keepAliveInterval?: number | undefined;
  /** @default 1 MiB */
  readonly maxBufferedBytes?: number | undefined;
}

/**
 * The clients of `/events`.
 *
 * @category models
 * @since 0.1.0
 */
export interface SseHub {
  /** Open streams. */
  readonly clients: () => number;
  /** The `/events` response for a client writing to `socket`. */
  readonly respond: (socket: SseSocket) => HttpServerResponse.HttpServerResponse;
  /** End every stream (each response completes) and refuse new ones: the server is closing. */
  readonly close: Effect.Effect<void>;
}

interface Client {
  readonly queue: Queue.Queue<Uint8Array, Cause.Done>;
  readonly socket: SseSocket;
  /** Bytes offered to the queue and not yet taken by the writer. */
  pending: number;
}

const encoder = new TextEncoder();

const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/**
 * A hub over `board`, listening to it and sending keep-alives until `scope` closes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeSseHub = Effect.fnUntraced(function* (options: SseHubOptions) {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const clients = new Set<Client>();
  let closed = false;
  let eventId = 0;

  const drop = (client: Client) => {
    clients.delete(client);
    client.socket.cut();
  };
  const broadcast = (text: string) => {
    if (clients.size === 0) return;
    const bytes = encoder.encode(text);
    for (const client of clients) {
      if (client.pending + client.socket.unsent() > maxBuffered) drop(client);
      else {
        client.pending += bytes.length;
        Queue.offerUnsafe(client.queue, bytes);
      }
    }
  };

  const unsubscribe = options.board.subscribe((change: BoardChange) => {
    if (clients.size === 0) return;
    eventId += 1;
    broadcast(`id: ${eventId}\nevent: status\ndata: ${JSON.stringify(change.view)}\n\n`);
  });
  yield* Effect.addFinalizer(() => Effect.sync(unsubscribe));
  yield* Effect.sleep(options.keepAliveInterval ?? 15_000).pipe(
    Effect.andThen(Effect.sync(() => broadcast(`: keep-alive ${new Date().toISOString()}\n\n`))),
    Effect.forever,
    Effect.forkScoped,
  );

  const respond = (socket: SseSocket) => {
    let client: Client | undefined;
    const stream = Stream.callback<Uint8Array>((queue) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          // The snapshot and the registration in one step: no change is missed or sent twice.
          const first = encoder.encode(
            `retry: 2000\nid: ${eventId}\nevent: snapshot\ndata: ${JSON.stringify(options.snapshot())}\n\n`,
          );
          const opened: Client = { queue, socket, pending: first.length };
          Queue.offerUnsafe(queue, first);
          if (closed) Queue.endUnsafe(queue);
          else clients.add(opened);
          client = opened;
          return opened;
        }),
        (opened) => Effect.sync(() => clients.delete(opened)),
      ),
    ).pipe(
      Stream.map((bytes) => {
        if (client !== undefined) client.pending -= bytes.length;
        return bytes;
      }),
    );
    return HttpServerResponse.stream(stream, { headers: HEADERS });
  };

  const close = Effect.sync(() => {
    closed = true;
    for (const client of clients) Queue.endUnsafe(client.queue);
    clients.clear();
  });

  return { clients: () => clients.size, respond, close } satisfies SseHub;
}) as (options: SseHubOptions) => Effect.Effect<SseHub, never, Scope.Scope>;
