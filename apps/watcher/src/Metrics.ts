/**
 * The watcher's metrics: effect `Metric`s (counters, gauges, one histogram) recorded in a
 * registry of the watcher's own, and written out by effect's `PrometheusMetrics` (text format
 * 0.0.4). A registry per watcher keeps two watchers in one process (tests, embedders) apart;
 * `registry` lets any effect exporter (OTLP) read the same series.
 *
 * Two sources feed them: status changes (events by state, refreshes by outcome, failures by
 * kind) and each HTTP exchange with Miro, seen by {@link Metrics.observeExchange} from the
 * wrapping transport (request latency per route, responses by status, the lowest rate-limit
 * headroom of the current window, credits spent by probing). Token gauges (and the process
 * gauges of `ProcessMetrics.ts`) are read when the registry is read (`Metric.registerUnsafe`
 * hooks): nothing is recomputed per event. Label values are fixed vocabularies (states, routes, error tags, HTTP statuses),
 * never ids or tokens, so cardinality stays bounded and no secret can reach a label.
 *
 * @since 0.1.0
 */
import { parseRateLimit } from "@miro-token/core";
import { Context, Metric } from "effect";
import { PrometheusMetrics } from "effect/observability";
import { perRead, registerGauge, registerProcessMetrics } from "./ProcessMetrics.ts";
import {
  type BoardChange,
  type StatusBoard,
  TOKEN_STATES,
  type TokenState,
} from "./StatusBoard.ts";

/**
 * The Miro routes the watcher calls, as metric label values.
 *
 * @category models
 * @since 0.1.0
 */
export type MiroRoute = "token_info" | "token" | "revoke" | "other";

/**
 * The route of a Miro URL.
 *
 * @category parsing
 * @since 0.1.0
 */
export const routeOf = (url: string): MiroRoute => {
  const path = URL.canParse(url) ? new URL(url).pathname : "";
  if (path.endsWith("/v1/oauth-token")) return "token_info";
  if (path.endsWith("/v1/oauth/token")) return "token";
  if (path.endsWith("/oauth/revoke")) return "revoke";
  return "other";
};

/**
 * Histogram bucket bounds of the request latency, seconds.
 *
 * @category constants
 * @since 0.1.0
 */
export const LATENCY_BUCKETS: ReadonlyArray<number> = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Credits Miro charges for one token-info request (a level-1 call): the basis of
 * `miro_token_watcher_probe_credits_total` unless configured otherwise.
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_PROBE_COST = 50;

/**
 * One failure's label: the error tag, with its transport kind or HTTP status when it has one.
 *
 * @category formatting
 * @since 0.1.0
 */
export const failureKindOf = (change: BoardChange): string | undefined => {
  const { status } = change;
  switch (status?._tag) {
    case "Unreachable":
    case "PersistFailed":
      return [status.error.tag, status.error.kind ?? status.error.status]
        .filter((p) => p !== undefined)
        .join(":");
    case "RateLimited":
      return "RateLimited";
    case "Invalid":
      return `Invalid:${status.code ?? status.status}`;
    case "ReauthorizeRequired":
      return "ReauthorizeRequired";
    case "Expired":
      return "Expired";
    default:
      return undefined;
  }
};

/**
 * The watcher's metrics.
 *
 * @category models
 * @since 0.1.0
 */
export interface Metrics {
  /** The registry every series lives in: provide it as `Metric.MetricRegistry` to an exporter. */
  readonly registry: Metric.MetricRegistry;
  /** Count a status change (called for every board change). */
  readonly observeChange: (change: BoardChange) => void;
  /** Count one HTTP exchange with Miro: its route, outcome (status or transport error kind),
   * duration and response headers. */
  readonly observeExchange: (
    url: string,
    outcome: number | string,
    seconds: number,
    headers: Readonly<Record<string, string>> | undefined,
    now: number,
  ) => void;
  /** The text exposition (effect's `PrometheusMetrics`), read as of `now`. */
  readonly render: (now: number) => string;
  /** Stop the event-loop delay monitor (the only resource held). */
  readonly close: () => void;
}

/**
 * Options of {@link makeMetrics}.
 *
 * @category models
 * @since 0.1.0
 */
export interface MetricsOptions {
  readonly board: StatusBoard;
  /** Credits per token-info request. @default 50 */
  readonly probeCost?: number | undefined;
  /** Live SSE connections, read at scrape time. */
  readonly sseClients?: (() => number) | undefined;
  /** The registry to record in (the one an OTLP exporter reads). @default a fresh one */
  readonly registry?: Metric.MetricRegistry | undefined;
}

const NAME = "miro_token_watcher";

/** Most distinct request URLs whose route is remembered (a watcher calls a handful). */
const ROUTE_CACHE_SIZE = 64;

/** `make(labels)` once per label set: each series keeps its metric (and its registry key). */
const seriesOf = <M>(make: (labels: Readonly<Record<string, string>>) => M) => {
  const made = new Map<string, M>();
  return (labels: Readonly<Record<string, string>>): M => {
    const key = Object.values(labels).join("\u0000");
    let metric = made.get(key);
    if (metric === undefined) {
      metric = make(labels);
      made.set(key, metric);
    }
    return metric;
  };
};

/**
 * Fresh metrics over a board, in a fresh registry.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMetrics = (options: MetricsOptions): Metrics => {
  const { board } = options;
  const probeCost = options.probeCost ?? DEFAULT_PROBE_COST;
  const registry: Metric.MetricRegistry = options.registry ?? new Map();
  const context = Context.make(Metric.MetricRegistry, registry);
  const startedAt = Date.now();
  let scrapeAt: number | undefined;
  const now = () => scrapeAt ?? Date.now();

  const counter = (name: string, description: string) =>
    seriesOf((attributes) =>
      Metric.counter(`${NAME}_${name}`, { description, attributes, incremental: true }),
    );
  const pulled = (name: string, description: string, get: () => number, attributes = {}) =>
    registerGauge(context, name, description, get, attributes);

  const counts = perRead(() => board.countByState());
  for (const state of TOKEN_STATES) {
    pulled(`${NAME}_tokens`, "Watched tokens by state.", () => counts().get(state) ?? 0, { state });
  }
  const events = counter(
    "status_events_total",
    "Status changes reported (NDJSON lines), by new state.",
  );
  const refreshes = counter(
    "refreshes_total",
    "Token refreshes by outcome (succeeded: a new pair was persisted).",
  );
  const failures = counter(
    "failures_total",
    "Failure statuses by kind (error tag and transport kind or HTTP status).",
  );
  const requests = counter(
    "requests_total",
    "HTTP requests to Miro (each attempt) by route and HTTP status or transport error kind.",
  );
  const latency = seriesOf((attributes) =>
    Metric.histogram(`${NAME}_request_duration_seconds`, {
      description: "Latency of HTTP requests to Miro by route (token_info is the probe).",
      attributes,
      boundaries: Metric.boundariesFromIterable(LATENCY_BUCKETS),
    }),
  );
  const credits = Metric.counter(`${NAME}_probe_credits_total`, {
    description: `Rate-limit credits spent by probing (token-info requests x ${probeCost} credits).`,
    incremental: true,
  });
  // Series present from the start, zero until counted (as the README documents).
  for (const outcome of ["succeeded", "failed"]) refreshes({ outcome }).valueUnsafe(context);
  credits.valueUnsafe(context);

  // The rate-limit window: the lowest remaining seen until the window resets.
  let windowLimit: number | undefined;
  let windowRemaining: number | undefined;
  let windowResetAt = 0;
  const seen = () => (now() < windowResetAt ? windowRemaining : undefined);
  const gauges: ReadonlyArray<readonly [string, string, () => number]> = [
    [
      `${NAME}_rate_limit_remaining`,
      "Lowest X-RateLimit-Remaining seen in the current rate-limit window (-1: none seen).",
      () => seen() ?? -1,
    ],
    [
      `${NAME}_rate_limit_limit`,
      "X-RateLimit-Limit last seen (credits per window; -1: none seen).",
      () => windowLimit ?? -1,
    ],
    [
      `${NAME}_rate_limit_headroom_ratio`,
      "Lowest remaining / limit in the current window (1 when nothing was spent or seen).",
      () => {
        const remaining = seen();
        return remaining !== undefined && windowLimit !== undefined && windowLimit > 0
          ? remaining / windowLimit
          : 1;
      },
    ],
    [`${NAME}_sse_clients`, "Open /events connections.", () => options.sseClients?.() ?? 0],
    [
      `${NAME}_uptime_seconds`,
      "Seconds since the watcher started.",
      () => (now() - startedAt) / 1000,
    ],
  ];
  for (const [name, description, get] of gauges) pulled(name, description, get);
  const stopProcessMetrics = registerProcessMetrics(context);

  const observeChange = (change: BoardChange) => {
    const state: TokenState | string = change.status?._tag ?? change.view.state;
    events({ state }).updateUnsafe(1, context);
    if (state === "Refreshed") refreshes({ outcome: "succeeded" }).updateUnsafe(1, context);
    else if (change.previous === "Refreshing" && state !== "PersistFailed")
      refreshes({ outcome: "failed" }).updateUnsafe(1, context);
    const kind = failureKindOf(change);
    if (kind !== undefined) failures({ kind }).updateUnsafe(1, context);
  };

  // A watcher calls a handful of URLs: parse each once, not once per exchange.
  const routes = new Map<string, MiroRoute>();
  const cachedRouteOf = (url: string): MiroRoute => {
    let route = routes.get(url);
    if (route === undefined) {
      route = routeOf(url);
      if (routes.size < ROUTE_CACHE_SIZE) routes.set(url, route);
    }
    return route;
  };

  const observeExchange: Metrics["observeExchange"] = (url, outcome, seconds, headers, at) => {
    const route = cachedRouteOf(url);
    if (route === "token_info") credits.updateUnsafe(probeCost, context);
    requests({ route, status: String(outcome) }).updateUnsafe(1, context);
    latency({ route }).updateUnsafe(seconds, context);
    const rateLimit = headers === undefined ? undefined : parseRateLimit(headers);
    if (rateLimit?.remaining !== undefined) {
      const fresh = at >= windowResetAt;
      if (fresh || windowRemaining === undefined || rateLimit.remaining < windowRemaining) {
        windowRemaining = rateLimit.remaining;
      }
      if (rateLimit.limit !== undefined) windowLimit = rateLimit.limit;
      if (fresh) windowResetAt = rateLimit.resetAt ?? at + 60_000;
    }
  };

  const render = (at: number): string => {
    scrapeAt = at;
    try {
      return PrometheusMetrics.formatUnsafe(context);
    } finally {
      scrapeAt = undefined;
    }
  };

  return { registry, observeChange, observeExchange, render, close: stopProcessMetrics };
};
