/**
 * A tracer that keeps every span it opens, for tests that check what a call traces: which
 * spans exist, and that no secret reaches a span's name, attributes or events.
 */
import { Tracer } from "effect";

/**
 * A recording tracer: `spans` in the order they were opened, `text()` all of them as JSON.
 *
 * @category tracing
 * @since 0.1.0
 */
export const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = [];
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options);
      spans.push(span);
      return span;
    },
  });
  const text = () =>
    JSON.stringify(
      spans.map((span) => ({
        name: span.name,
        attributes: [...span.attributes.entries()],
        events: span.events.map(([name, , attributes]) => [name, attributes]),
      })),
      (_, value) => (typeof value === "bigint" ? value.toString() : value),
    );
  return { tracer, spans, text };
};
