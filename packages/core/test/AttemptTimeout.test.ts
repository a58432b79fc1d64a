// Who times an attempt: a transport that declares `enforcesTimeout` gets each attempt's budget
// as `request.timeout` on the live clock (no forked race); under a test clock, or for a
// transport that does not declare it, core races the attempt against the fiber's clock as
// before. And `Exchange.toSend` ends an exchange that outlasts `request.timeout`.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import {
  Exchange,
  HttpTransport,
  observeTransport,
  ResponseBody,
  TokenClient,
} from "../src/index.ts";
import { INFO, layerWith, TOKEN } from "./ClientFixtures.ts";
import { fakeTransport, json, SAMPLE_REQUEST, timingFakeTransport } from "./FakeTransport.ts";

const request = SAMPLE_REQUEST;

describe("the attempt timeout", () => {
  it.live("is handed to a transport that enforces it, on the live clock", () =>
    Effect.gen(function* () {
      const t = timingFakeTransport(json(200, INFO));
      const layer = layerWith(t, { attemptTimeout: "3 seconds" });
      yield* TokenClient.info(TOKEN).pipe(Effect.provide(layer));
      const timeout = t.requests[0]?.timeout;
      expect(timeout).toBeGreaterThan(2_900);
      expect(timeout).toBeLessThanOrEqual(3_000);
    }),
  );

  it.live("is kept by core when longer than a timer can wait", () =>
    Effect.gen(function* () {
      const t = timingFakeTransport(json(200, INFO));
      const layer = layerWith(t, { attemptTimeout: "30 days", deadline: "60 days" });
      yield* TokenClient.info(TOKEN).pipe(Effect.provide(layer));
      expect(t.requests[0]?.timeout).toBeUndefined();
    }),
  );

  it.live("is kept by core for a transport that does not declare it", () =>
    Effect.gen(function* () {
      const t = fakeTransport(json(200, INFO));
      yield* TokenClient.info(TOKEN).pipe(Effect.provide(layerWith(t)));
      expect(t.requests[0]?.timeout).toBeUndefined();
    }),
  );

  it.effect("is kept by core under a test clock, even for a transport that enforces it", () =>
    Effect.gen(function* () {
      const t = timingFakeTransport({ hang: true });
      const layer = layerWith(t, { attemptTimeout: "2 seconds", retry: { limit: 1 } });
      const fiber = yield* Effect.forkChild(
        Effect.flip(TokenClient.info(TOKEN).pipe(Effect.provide(layer))),
      );
      yield* TestClock.adjust("2 seconds");
      const error = yield* Fiber.join(fiber);
      expect(error._tag).toBe("TransportError");
      expect(error._tag === "TransportError" && error.kind).toBe("Timeout");
      expect(t.requests).toHaveLength(1);
      expect(t.requests[0]?.timeout).toBeUndefined();
    }),
  );

  it.effect("passes through observeTransport", () =>
    Effect.gen(function* () {
      const observed = observeTransport(timingFakeTransport(json(200, INFO)).layer, {
        onSettled: () => Effect.void,
      });
      const transport = yield* HttpTransport.use(Effect.succeed).pipe(Effect.provide(observed));
      expect(transport.enforcesTimeout).toBe(true);
    }),
  );
});

describe("Exchange.toSend", () => {
  /** An exchange that never answers and records whether it was aborted. */
  const hanging = () => {
    const seen = { aborted: false };
    const exchange: Exchange.Exchange = (_request, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => {
          seen.aborted = true;
          reject(new DOMException("aborted", "AbortError"));
        });
      });
    return { seen, exchange };
  };

  it.live("ends an exchange that outlasts request.timeout, aborting it", () =>
    Effect.gen(function* () {
      const { seen, exchange } = hanging();
      const send = Exchange.toSend("Test.send", exchange);
      const error = yield* Effect.flip(send({ ...request, timeout: 20 }));
      expect(error.kind).toBe("Timeout");
      expect(error.reason).toBe("no complete response within 20 ms");
      expect(error.endpoint).toBe("https://api.miro.com/v1/oauth-token");
      expect(seen.aborted).toBe(true);
    }),
  );

  it.live("aborts the exchange when the fiber is interrupted", () =>
    Effect.gen(function* () {
      const { seen, exchange } = hanging();
      const fiber = yield* Effect.forkChild(Exchange.toSend("Test.send", exchange)(request));
      yield* Effect.yieldNow;
      yield* Fiber.interrupt(fiber);
      expect(seen.aborted).toBe(true);
    }),
  );

  it.live("aborts the exchange once its body passed the cap", () =>
    Effect.gen(function* () {
      let signalSeen: AbortSignal | undefined;
      const send = Exchange.toSend("Test.send", async (_request, signal) => {
        signalSeen = signal;
        return { status: 200, headers: {}, body: ResponseBody.BodyTooLarge };
      });
      const error = yield* Effect.flip(send(request));
      expect(error.kind).toBe("BodyTooLarge");
      expect(signalSeen?.aborted).toBe(true);
    }),
  );

  it("declares enforcesTimeout through toTransport", () => {
    const transport = Exchange.toTransport("Test.send", hanging().exchange);
    expect(transport.enforcesTimeout).toBe(true);
  });
});
