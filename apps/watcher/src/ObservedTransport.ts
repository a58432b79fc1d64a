/**
 * An `HttpTransport` that wraps another and reports every exchange to the metrics: its route,
 * its duration, its HTTP status (or transport error kind) and its response headers (for the
 * `X-RateLimit-*` headroom). It sees each attempt core makes, retries included. It reads
 * nothing of the request but its URL (core never puts a secret there) and passes everything
 * through unchanged.
 *
 * @since 0.1.0
 */
import { HttpTransport } from "@miro-token/core";
import { Effect, Layer } from "effect";
import type { Metrics } from "./Metrics.ts";

/**
 * A layer providing an observing `HttpTransport` on top of the one `inner` provides.
 *
 * @category layers
 * @since 0.1.0
 */
export const observedTransport = <E, R>(
  metrics: Metrics,
  inner: Layer.Layer<HttpTransport, E, R>,
): Layer.Layer<HttpTransport, E, R> =>
  Layer.effect(
    HttpTransport,
    Effect.gen(function* () {
      const transport = yield* HttpTransport;
      return HttpTransport.of({
        send: (request) =>
          Effect.suspend(() => {
            // Timed from when the attempt runs, not from when its effect was built.
            const started = performance.now();
            const seconds = () => (performance.now() - started) / 1000;
            return transport.send(request).pipe(
              Effect.tap((response) =>
                Effect.sync(() =>
                  metrics.observeExchange(
                    request.url,
                    response.status,
                    seconds(),
                    response.headers,
                    Date.now(),
                  ),
                ),
              ),
              Effect.tapError((error) =>
                Effect.sync(() =>
                  metrics.observeExchange(
                    request.url,
                    error.kind,
                    seconds(),
                    undefined,
                    Date.now(),
                  ),
                ),
              ),
            );
          }),
      });
    }),
  ).pipe(Layer.provide(inner));
