/**
 * How an adapter fails against the fault server: a reset, a refused connection and a truncated
 * body are `Network` errors; a hang ends on timeout and a drip on interrupt, each with its
 * socket really closed; a body over the cap stops being read at the cap (bounded bytes and
 * memory) while a body of exactly the cap is read whole.
 */
import { expect } from "@effect/vitest";
import { Cause, Effect, Exit, Fiber } from "effect";
import { FaultServer, type FaultServerIt } from "./FaultServer.ts";
import { closedPort } from "./Loopback.ts";
import {
  CAP,
  expectTransportError,
  MiB,
  request,
  send,
  uniquePath,
  waitClosed,
} from "./Requests.ts";

/** Registers the failure, abort and body cap tests. */
export const failureTests = (it: FaultServerIt): void => {
  it.effect("maps a connection reset to Network", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const error = yield* expectTransportError(request(`${server.baseUrl}/reset`), "Network");
      expect(error.endpoint).toBe(`${server.baseUrl}/reset`);
    }),
  );

  it.effect("maps a refused connection to Network", () =>
    Effect.gen(function* () {
      const port = yield* closedPort;
      const error = yield* expectTransportError(
        request(`http://127.0.0.1:${port}/v1/oauth-token`),
        "Network",
      );
      expect(error.reason).toBe("ECONNREFUSED");
    }),
  );

  it.effect("maps a body shorter than its content-length to Network", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      yield* expectTransportError(request(`${server.baseUrl}/truncated`), "Network");
    }),
  );

  it.effect("aborts a hanging request on timeout and closes its socket", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const path = uniquePath("hang");
      const started = Date.now();
      const exit = yield* send(request(`${server.baseUrl}${path}`)).pipe(
        Effect.timeout("150 millis"),
        Effect.exit,
      );
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("TimeoutError");
      yield* waitClosed(server, path);
    }),
  );

  it.effect("aborts a dripping body when the fiber is interrupted", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const path = uniquePath("drip");
      const fiber = yield* Effect.forkChild(send(request(`${server.baseUrl}${path}`)));
      yield* Effect.promise(() => server.started(path));
      yield* Effect.sleep("50 millis");
      yield* Fiber.interrupt(fiber);
      const exit = yield* Fiber.await(fiber);
      expect(Exit.hasInterrupts(exit)).toBe(true);
      yield* waitClosed(server, path);
    }),
  );

  it.effect("stops reading a 10 MB body at a 1 MiB cap", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const path = uniquePath("oversized", String(10 * MiB));
      const rssBefore = process.memoryUsage().rss;
      const error = yield* expectTransportError(
        request(`${server.baseUrl}${path}`),
        "BodyTooLarge",
      );
      expect(error.reason).toBe("MAX_BODY_BYTES");
      const closed = yield* waitClosed(server, path);
      // The paced server is at most a chunk or two ahead of the client: what it wrote
      // before the socket closed bounds what the client read (cap + one 64 KiB chunk),
      // plus one chunk in flight while the abort propagated and the response head.
      expect(closed.bytesWritten).toBeLessThanOrEqual(CAP + 256 * 1024);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(20 * MiB);
    }),
  );

  it.effect("reads a body of exactly the cap", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer;
      const path = uniquePath("oversized", String(CAP));
      const response = yield* send(request(`${server.baseUrl}${path}`));
      expect(response.body.length).toBe(CAP);
    }),
  );
};
