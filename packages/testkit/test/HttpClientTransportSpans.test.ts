// A path a secret could leak through that only this adapter opens: Effect's HttpClient traces
// each request (URL, headers, status) into spans. With a recording tracer, token info, refresh
// and a v2 revoke over `HttpClientTransport` leave no token and no client secret in any span
// name, attribute or event (core puts secrets only in the authorization header, which Effect
// redacts, and in bodies, which it does not trace).
import { HttpClientTransport, MiroConfig, TokenClient } from "@miro-token/core";
import { type Emulator, startEmulator } from "@miro-token/emulator";
import { Effect, Layer, Redacted, Tracer } from "effect";
import { FetchHttpClient } from "effect/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLeaks, recordingTracer } from "../src/index.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

describe("HttpClientTransport spans", () => {
  it("trace every request without a token or the client secret", async () => {
    const client = emulator.seed?.client;
    if (client === undefined) throw new Error("the emulator has no seed");
    const issued = emulator.issueTokens({ clientId: client.clientId });
    const recording = recordingTracer();
    const tracing = Layer.succeed(Tracer.Tracer, recording.tracer);
    const layer = TokenClient.layer.pipe(
      Layer.provide(
        Layer.mergeAll(
          HttpClientTransport.layer.pipe(
            Layer.provide(Layer.merge(FetchHttpClient.layer, tracing)),
          ),
          MiroConfig.layer({ baseUrl: emulator.baseUrl, ...client }),
        ),
      ),
    );
    const program = Effect.gen(function* () {
      yield* TokenClient.info(Redacted.make(issued.accessToken));
      const next = yield* TokenClient.refresh({
        refreshToken: Redacted.make(issued.refreshToken ?? ""),
        scopes: [],
      });
      yield* TokenClient.revoke(next.accessToken);
      return next;
    });
    const next = await Effect.runPromise(
      program.pipe(Effect.provide(layer), Effect.withTracer(recording.tracer)),
    );
    const clientSpans = recording.spans.filter((span) => span.kind === "client");
    expect(clientSpans.length).toBeGreaterThanOrEqual(3);
    const secrets = [
      issued.accessToken,
      issued.refreshToken ?? "",
      Redacted.value(next.accessToken),
      next.refreshToken === undefined ? "" : Redacted.value(next.refreshToken),
      client.clientSecret,
    ];
    expect(findLeaks(recording.text(), secrets)).toEqual([]);
  });
});
