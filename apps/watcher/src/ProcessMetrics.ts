/**
 * The process's own gauges (resident memory, V8 heap, CPU time, event-loop delay), registered
 * in a metrics registry and read when it is read: the same names Prometheus' Node clients use,
 * so existing dashboards work. Kept apart from `Metrics.ts` because nothing in them is about
 * tokens; the event-loop monitor is the only resource, released by the returned function.
 *
 * @since 0.1.0
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { type Context, Metric } from "effect";

/**
 * A function computed at most once per synchronous read of a registry (one scrape), so the
 * series that share it agree and it is not recomputed per series.
 *
 * @category constructors
 * @since 0.1.0
 */
export const perRead = <A>(compute: () => A): (() => A) => {
  let cached: { readonly value: A } | undefined;
  return () => {
    if (cached === undefined) {
      cached = { value: compute() };
      queueMicrotask(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
};

/**
 * A function that registers one series whose value `get` reads when the registry is read.
 *
 * @category models
 * @since 0.1.0
 */
export type RegisterPulled = (
  context: Context.Context<never>,
  name: string,
  description: string,
  get: () => number,
  attributes?: Readonly<Record<string, string>>,
) => Metric.Registration;

/** Hooks that only read: the value lives elsewhere and nothing updates it through the metric. */
const readOnly = <S>(get: () => S) => ({
  get,
  update: () => undefined,
  modify: () => undefined,
});

/**
 * Register a gauge whose value `get` reads when the registry is read.
 *
 * @category constructors
 * @since 0.1.0
 */
export const registerGauge: RegisterPulled = (context, name, description, get, attributes = {}) =>
  Metric.registerUnsafe(
    Metric.gauge(name, { description, attributes }),
    context,
    readOnly(() => ({ value: get() })),
  );

/**
 * Register a counter whose running total `get` reads when the registry is read (a total kept
 * elsewhere, e.g. the webhook sender's attempts).
 *
 * @category constructors
 * @since 0.1.0
 */
export const registerCounter: RegisterPulled = (context, name, description, get, attributes = {}) =>
  Metric.registerUnsafe(
    Metric.counter(name, { description, attributes }),
    context,
    readOnly(() => ({ count: get(), incremental: true })),
  );

/**
 * Register the process gauges in the registry of `context`; returns the function that stops
 * the event-loop delay monitor.
 *
 * @category constructors
 * @since 0.1.0
 */
export const registerProcessMetrics = (context: Context.Context<never>): (() => void) => {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const memory = perRead(() => process.memoryUsage());
  registerGauge(context, "process_resident_memory_bytes", "Resident set size.", () => memory().rss);
  registerGauge(context, "nodejs_heap_used_bytes", "V8 heap in use.", () => memory().heapUsed);
  registerCounter(context, "process_cpu_seconds_total", "User and system CPU time.", () => {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1e6;
  });
  registerGauge(
    context,
    "nodejs_eventloop_delay_p99_seconds",
    "99th percentile of event-loop delay since start.",
    () => loopDelay.percentile(99) / 1e9,
  );
  return () => loopDelay.disable();
};
