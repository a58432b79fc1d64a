/**
 * An `HttpTransport` that wraps another and reports every exchange to the metrics: its route,
 * its duration, its HTTP status (or transport error kind) and its response headers (for the
 * `X-RateLimit-*` headroom). It sees each attempt core makes, retries included. It reads
 * nothing of the request but its URL (core never puts a secret there) and passes everything
 * through unchanged.
 *
 * @since 0.1.0
 */
import { type HttpTransport, observeTransport } from "@miro-token/core";
import { Effect, type Layer } from "effect";
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
  observeTransport(inner, {
    onSettled: (request, outcome, millis) =>
      Effect.sync(() => {
        const seconds = millis / 1000;
        if (outcome._tag === "Response") {
          const { status, headers } = outcome.response;
          metrics.observeExchange(request.url, status, seconds, headers, Date.now());
        } else if (outcome._tag === "Failure") {
          metrics.observeExchange(request.url, outcome.error.kind, seconds, undefined, Date.now());
        }
      }),
  });
