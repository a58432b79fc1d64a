/**
 * An `HttpTransport` that wraps another and reports each exchange — every attempt core makes,
 * retries included — to an observer: when it starts, and how it settled (a response, a
 * transport failure, or an interruption) after how many milliseconds. It passes everything
 * through unchanged. For diagnostics (the CLI's `--verbose`), spinners and metrics (the
 * watcher's latency histogram and rate-limit headroom).
 *
 * Observers see the request, which may carry a token in its `authorization` header or body:
 * report the URL's endpoint (`endpointOf`), never the request itself.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, Layer } from "effect";
import { HttpTransport, type TransportRequest, type TransportResponse } from "./HttpTransport.ts";
import type { TransportError } from "./TransportError.ts";

/**
 * How one exchange ended.
 *
 * @category models
 * @since 0.1.0
 */
export type ExchangeOutcome =
  | { readonly _tag: "Response"; readonly response: TransportResponse }
  | { readonly _tag: "Failure"; readonly error: TransportError }
  | { readonly _tag: "Interrupted" };

/**
 * What an observer hears. `onSettled` runs for every exchange that started, however it ended.
 *
 * @category models
 * @since 0.1.0
 */
export interface ExchangeObserver {
  readonly onStart?: ((request: TransportRequest) => Effect.Effect<void>) | undefined;
  readonly onSettled: (
    request: TransportRequest,
    outcome: ExchangeOutcome,
    millis: number,
  ) => Effect.Effect<void>;
}

const outcomeOf = (exit: Exit.Exit<TransportResponse, TransportError>): ExchangeOutcome => {
  if (Exit.isSuccess(exit)) return { _tag: "Response", response: exit.value };
  const error = Cause.findErrorOption(exit.cause);
  return error._tag === "Some" ? { _tag: "Failure", error: error.value } : { _tag: "Interrupted" };
};

/**
 * The transport `inner` provides, observed by `observer`.
 *
 * ```ts
 * const transport = observeTransport(NodeTransport.layer, {
 *   onSettled: (request, outcome, millis) =>
 *     Console.error(`${endpointOf(request.url)} ${outcome._tag} in ${millis} ms`),
 * })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const observeTransport = <E, R>(
  inner: Layer.Layer<HttpTransport, E, R>,
  observer: ExchangeObserver,
): Layer.Layer<HttpTransport, E, R> =>
  Layer.effect(
    HttpTransport,
    Effect.map(HttpTransport, (transport) =>
      HttpTransport.of({
        enforcesTimeout: transport.enforcesTimeout,
        send: (request) =>
          Effect.suspend(() => {
            // Timed from when the attempt runs, not from when its effect was built.
            const started = performance.now();
            return (observer.onStart?.(request) ?? Effect.void).pipe(
              Effect.andThen(transport.send(request)),
              Effect.onExit((exit) =>
                observer.onSettled(request, outcomeOf(exit), performance.now() - started),
              ),
            );
          }),
      }),
    ),
  ).pipe(Layer.provide(inner));
