/**
 * Spans that cost nothing when nobody records them. Every client method and every transport
 * exchange runs in a span, but without a tracer installed the spans go to Effect's
 * `nativeTracer`, which keeps them in memory and exports them nowhere; opening one (ids, start
 * and end times, a context with the span as parent) was a sizeable part of a token-info call's
 * own CPU. Effect documents the comparison with `nativeTracer` for exactly this: skip work only
 * a tracing backend could observe.
 *
 * @since 0.1.0
 */
import { Effect, type Fiber, Tracer } from "effect";

/**
 * Whether the fiber records spans somewhere: a tracer other than Effect's in-memory default.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isTracing = (fiber: Fiber.Fiber<unknown, unknown>): boolean =>
  fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer;

/**
 * Runs the effect `evaluate` builds (when the fiber runs it) in a span named `name` when a
 * tracer is installed ({@link isTracing}), and bare otherwise. The span is opened without
 * capturing a stack trace: it names the operation, and a trace per call (what `Effect.fn`
 * does) costs more than the rest of a call's own work.
 *
 * @category combinators
 * @since 0.1.0
 */
export const spannedWhenTracing = (
  name: string,
): (<A, E, R>(evaluate: () => Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) => {
  const span = Effect.withSpan(name, undefined, { captureStackTrace: false });
  return (evaluate) =>
    Effect.withFiber((fiber) => (isTracing(fiber) ? span(Effect.suspend(evaluate)) : evaluate()));
};
