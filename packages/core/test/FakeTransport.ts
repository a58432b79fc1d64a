// A scripted in-memory HttpTransport for core's unit tests: each call takes the next step of
// the script (a response, a transport failure, or a hang) and every request is recorded.
import { Effect, Layer } from "effect";
import {
  endpointOf,
  HttpTransport,
  TransportError,
  type TransportErrorKind,
  type TransportRequest,
  type TransportResponse,
} from "../src/index.ts";

/** A token-info request as core builds it, for tests that call a transport directly. */
export const SAMPLE_REQUEST: TransportRequest = {
  method: "GET",
  url: "https://api.miro.com/v1/oauth-token",
  headers: {},
  maxBodyBytes: 1024,
};

export type Step =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly fail: TransportErrorKind }
  | { readonly hang: true };

export interface FakeTransport {
  readonly layer: Layer.Layer<HttpTransport>;
  readonly requests: Array<TransportRequest>;
}

/** Steps are consumed in order; the last step repeats. */
export const fakeTransport = (...script: ReadonlyArray<Step>): FakeTransport => {
  const requests: Array<TransportRequest> = [];
  const send = (request: TransportRequest): Effect.Effect<TransportResponse, TransportError> =>
    Effect.suspend(() => {
      requests.push(request);
      const step = script[Math.min(requests.length, script.length) - 1];
      if (step === undefined) return Effect.die("empty script");
      if ("hang" in step) return Effect.never;
      if ("fail" in step) {
        return Effect.fail(
          new TransportError({
            kind: step.fail,
            method: request.method,
            endpoint: endpointOf(request.url),
            reason: step.fail === "Network" ? "ECONNRESET" : step.fail,
          }),
        );
      }
      return Effect.succeed({
        status: step.status,
        headers: step.headers ?? {},
        body: step.body ?? "",
      });
    });
  return { layer: Layer.succeed(HttpTransport, HttpTransport.of({ send })), requests };
};

/** {@link fakeTransport}, declaring that it enforces `request.timeout` (it only records it). */
export const timingFakeTransport = (...script: ReadonlyArray<Step>): FakeTransport => {
  const inner = fakeTransport(...script);
  return {
    requests: inner.requests,
    layer: Layer.effect(
      HttpTransport,
      Effect.map(HttpTransport, (t) => HttpTransport.of({ send: t.send, enforcesTimeout: true })),
    ).pipe(Layer.provide(inner.layer)),
  };
};

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Step => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});

export const miroError = (
  status: number,
  code: string,
  headers: Record<string, string> = {},
): Step => json(status, { status, code, message: "m", type: "error" }, headers);
