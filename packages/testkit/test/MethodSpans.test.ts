// Spans only when something records them: with a tracer installed, a token-info call runs in a
// `TokenClient.info` span (annotated with its endpoint and attempt count) around the
// transport's own span; with Effect's in-memory default tracer, neither span is opened (the
// transport sees no current span), because nothing could observe them.
import { describe, expect, it } from "@effect/vitest";
import { Exchange, HttpTransport, MiroConfig, TokenClient } from "@miro-token/core";
import { Effect, Layer, Option, Redacted, type Tracer } from "effect";
import { recordingTracer } from "../src/index.ts";

const BASE = "https://miro.test";
const TOKEN = Redacted.make("span-test-token-0001");
/** Token info as Miro sends it, user "Ada". */
const BODY =
  '{"type":"oAuthToken","team":{"type":"team","name":"T","id":"1"},' +
  '"createdBy":{"type":"user","name":"Ada","id":"2"},"user":{"type":"user","name":"Ada","id":"2"}}';

/** A transport answering token info at once, recording the span it was sent under. */
const answering = () => {
  const seen: { span: Option.Option<Tracer.Span> | undefined } = { span: undefined };
  const send = Exchange.dispatchToSend("Test.send", (_request, listener) => {
    listener.onResponse({ status: 200, headers: {}, body: BODY });
    return () => {};
  });
  const transport = HttpTransport.of({
    send: (request) =>
      Effect.tap(send(request), () =>
        Effect.map(Effect.option(Effect.currentSpan), (span) => {
          seen.span = span;
        }),
      ),
  });
  const layer = TokenClient.layer.pipe(
    Layer.provide(
      Layer.mergeAll(Layer.succeed(HttpTransport, transport), MiroConfig.layer({ baseUrl: BASE })),
    ),
  );
  return { seen, layer };
};

describe("method spans", () => {
  it.effect("are recorded by an installed tracer, with endpoint and attempts", () =>
    Effect.gen(function* () {
      const { seen, layer } = answering();
      const recording = recordingTracer();
      yield* TokenClient.info(TOKEN).pipe(
        Effect.provide(layer),
        Effect.withTracer(recording.tracer),
      );
      const names = recording.spans.map((span) => span.name);
      expect(names).toEqual(["TokenClient.info", "Test.send"]);
      const [method, send] = recording.spans;
      expect(send?.parent.pipe(Option.map((parent) => parent.spanId))).toEqual(
        Option.some(method?.spanId),
      );
      expect(Object.fromEntries(method?.attributes ?? [])).toEqual({
        "miro.endpoint": `${BASE}/v1/oauth-token`,
        "miro.attempts": 1,
      });
      expect(recording.spans.every((span) => span.status._tag === "Ended")).toBe(true);
      // Around the transport's send: the method's span.
      expect(seen.span?.pipe(Option.map((span) => span.name))).toEqual(
        Option.some("TokenClient.info"),
      );
    }),
  );

  it.effect("are not opened under the default in-memory tracer", () =>
    Effect.gen(function* () {
      const { seen, layer } = answering();
      const result = yield* TokenClient.info(TOKEN).pipe(Effect.provide(layer));
      expect(result.info.user.name).toBe("Ada");
      expect(seen.span).toEqual(Option.none());
    }),
  );
});
