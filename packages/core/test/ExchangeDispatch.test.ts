// Exchanges in the callback form (`Exchange.Dispatch`, what the undici engine uses): a report
// that arrives before `dispatch` returns, an over-long body reported that early, an exchange
// that reports its own abort while being timed out, and interruption, each settle the attempt
// once, with the right error, and stop the exchange.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Fiber } from "effect";
import { Exchange, ResponseBody } from "../src/index.ts";
import { SAMPLE_REQUEST } from "./FakeTransport.ts";

const request = SAMPLE_REQUEST;
const OK: Exchange.Exchanged = { status: 200, headers: { "x-a": "1" }, body: "{}" };

/** A dispatch whose exchange the test drives, counting aborts. */
const driven = (onDispatch: (listener: Exchange.DispatchListener) => void = () => {}) => {
  const seen = { aborts: 0, listener: undefined as Exchange.DispatchListener | undefined };
  const dispatch: Exchange.Dispatch = (_request, listener) => {
    seen.listener = listener;
    onDispatch(listener);
    return () => {
      seen.aborts += 1;
    };
  };
  return { seen, send: Exchange.dispatchToSend("Test.send", dispatch) };
};

describe("Exchange.dispatchToSend", () => {
  it.live("takes a response reported before dispatch returns", () =>
    Effect.gen(function* () {
      const { seen, send } = driven((listener) => listener.onResponse(OK));
      const response = yield* send({ ...request, timeout: 1_000 });
      expect(response).toEqual(OK);
      expect(seen.aborts).toBe(0);
    }),
  );

  it.live("takes a response reported later, once, ignoring later reports", () =>
    Effect.gen(function* () {
      const { seen, send } = driven((listener) => {
        setTimeout(() => {
          listener.onResponse(OK);
          listener.onFailure(new Error("late"));
          listener.onResponse({ ...OK, status: 500 });
        }, 5);
      });
      const response = yield* send({ ...request, timeout: 1_000 });
      expect(response.status).toBe(200);
      expect(seen.aborts).toBe(0);
    }),
  );

  it.live("aborts a body over the cap even when it is reported before dispatch returns", () =>
    Effect.gen(function* () {
      const { seen, send } = driven((listener) =>
        listener.onResponse({ ...OK, body: ResponseBody.BodyTooLarge }),
      );
      const error = yield* Effect.flip(send(request));
      expect(error.kind).toBe("BodyTooLarge");
      expect(seen.aborts).toBe(1);
    }),
  );

  it.live("classifies a failure by its code", () =>
    Effect.gen(function* () {
      const { send } = driven((listener) =>
        listener.onFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })),
      );
      const error = yield* Effect.flip(send(request));
      expect(error.kind).toBe("Network");
      expect(error.reason).toBe("ECONNRESET");
    }),
  );

  it.live("fails with Timeout when the exchange reports its own abort synchronously", () =>
    Effect.gen(function* () {
      const seen = { aborts: 0 };
      const dispatch: Exchange.Dispatch = (_request, listener) => () => {
        seen.aborts += 1;
        listener.onFailure(new DOMException("aborted", "AbortError"));
      };
      const error = yield* Effect.flip(
        Exchange.dispatchToSend("Test.send", dispatch)({ ...request, timeout: 20 }),
      );
      expect(error.kind).toBe("Timeout");
      expect(error.reason).toBe("no complete response within 20 ms");
      expect(seen.aborts).toBe(1);
    }),
  );

  it.live("aborts the exchange when the fiber is interrupted", () =>
    Effect.gen(function* () {
      const { seen, send } = driven();
      const fiber = yield* Effect.forkChild(send({ ...request, timeout: 1_000 }));
      yield* Effect.yieldNow;
      expect(seen.listener).toBeDefined();
      yield* Fiber.interrupt(fiber);
      expect(seen.aborts).toBe(1);
    }),
  );

  it("declares enforcesTimeout through dispatchToTransport", () => {
    const transport = Exchange.dispatchToTransport("Test.send", () => () => {});
    expect(transport.enforcesTimeout).toBe(true);
  });
});
