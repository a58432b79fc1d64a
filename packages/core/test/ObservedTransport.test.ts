// observeTransport: the observer hears each exchange start and settle — as a response, a
// transport failure or an interruption — and the exchange passes through unchanged.
import { describe, expect, it } from "@effect/vitest";
import { Effect, Fiber } from "effect";
import { type ExchangeOutcome, HttpTransport, observeTransport } from "../src/index.ts";
import { fakeTransport, SAMPLE_REQUEST } from "./FakeTransport.ts";

const request = SAMPLE_REQUEST;

const observing = (inner: ReturnType<typeof fakeTransport>) => {
  const heard: Array<string> = [];
  const outcomes: Array<ExchangeOutcome> = [];
  const layer = observeTransport(inner.layer, {
    onStart: () => Effect.sync(() => heard.push("start")),
    onSettled: (_request, outcome, millis) =>
      Effect.sync(() => {
        expect(millis).toBeGreaterThanOrEqual(0);
        heard.push(`settled:${outcome._tag}`);
        outcomes.push(outcome);
      }),
  });
  return { layer, heard, outcomes };
};

describe("observeTransport", () => {
  it.effect("passes a response through and reports it", () => {
    const { layer, heard, outcomes } = observing(fakeTransport({ status: 204 }));
    return Effect.gen(function* () {
      const response = yield* HttpTransport.use((t) => t.send(request));
      expect(response.status).toBe(204);
      expect(heard).toEqual(["start", "settled:Response"]);
      expect(outcomes[0]?._tag === "Response" && outcomes[0].response.status).toBe(204);
    }).pipe(Effect.provide(layer));
  });

  it.effect("passes a transport failure through and reports it", () => {
    const { layer, heard, outcomes } = observing(fakeTransport({ fail: "Network" }));
    return Effect.gen(function* () {
      const error = yield* Effect.flip(HttpTransport.use((t) => t.send(request)));
      expect(error.kind).toBe("Network");
      expect(heard).toEqual(["start", "settled:Failure"]);
      expect(outcomes[0]?._tag === "Failure" && outcomes[0].error).toBe(error);
    }).pipe(Effect.provide(layer));
  });

  it.effect("reports an interrupted exchange as Interrupted", () => {
    const { layer, heard } = observing(fakeTransport({ hang: true }));
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(HttpTransport.use((t) => t.send(request)));
      yield* Effect.yieldNow;
      yield* Fiber.interrupt(fiber);
      expect(heard).toEqual(["start", "settled:Interrupted"]);
    }).pipe(Effect.provide(layer));
  });
});
