/**
 * The watcher's metrics and their Prometheus text exposition (format 0.0.4), written by hand:
 * a handful of counters, gauges and one histogram do not need a client library.
 *
 * Two sources feed them: status changes (events by state, refreshes by outcome, failures by
 * kind) and each HTTP exchange with Miro, seen by {@link observeExchange} from the wrapping
 * transport (request latency per route, responses by status, the lowest rate-limit headroom of
 * the current window, credits spent by probing). Token gauges are read from the
 * {@link StatusBoard} at scrape time. Label values are fixed vocabularies (states, routes,
 * error tags, HTTP statuses), never ids or tokens, so cardinality stays bounded.
 *
 * @since 0.1.0
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseRateLimit } from "@miro-token/core";
import type { BoardChange, StatusBoard } from "./StatusBoard.ts";

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

class Histogram {
  readonly counts = LATENCY_BUCKETS.map(() => 0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count += 1;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) this.counts[i]! += 1;
    }
  }
}

const increment = (map: Map<string, number>, key: string, by = 1) =>
  map.set(key, (map.get(key) ?? 0) + by);

/** `a="x",b="y"` with Prometheus escaping. */
const labels = (pairs: Readonly<Record<string, string>>): string =>
  Object.entries(pairs)
    .map(
      ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`,
    )
    .join(",");

const number = (value: number): string =>
  Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";

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
  /** The text exposition. */
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
  /** More exposition text appended at scrape time (the webhook families). */
  readonly extra?: (() => string) | undefined;
}

/**
 * Fresh metrics over a board.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMetrics = (options: MetricsOptions): Metrics => {
  const { board } = options;
  const probeCost = options.probeCost ?? DEFAULT_PROBE_COST;
  const events = new Map<string, number>();
  const refreshes = new Map<string, number>([
    ["succeeded", 0],
    ["failed", 0],
  ]);
  const failures = new Map<string, number>();
  const requests = new Map<string, number>();
  const latency = new Map<MiroRoute, Histogram>();
  let probes = 0;
  let windowLimit: number | undefined;
  let windowRemaining: number | undefined;
  let windowResetAt = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const startedAt = Date.now();

  const observeChange = (change: BoardChange) => {
    const tag = change.status?._tag ?? change.view.state;
    increment(events, tag);
    if (tag === "Refreshed") increment(refreshes, "succeeded");
    else if (change.previous === "Refreshing" && tag !== "PersistFailed")
      increment(refreshes, "failed");
    const kind = failureKindOf(change);
    if (kind !== undefined) increment(failures, kind);
  };

  const observeExchange: Metrics["observeExchange"] = (url, outcome, seconds, headers, now) => {
    const route = routeOf(url);
    if (route === "token_info") probes += 1;
    increment(requests, `${route}\u0000${outcome}`);
    let histogram = latency.get(route);
    if (histogram === undefined) {
      histogram = new Histogram();
      latency.set(route, histogram);
    }
    histogram.observe(seconds);
    const rateLimit = headers === undefined ? undefined : parseRateLimit(headers);
    if (rateLimit?.remaining !== undefined) {
      const fresh = now >= windowResetAt;
      if (fresh || windowRemaining === undefined || rateLimit.remaining < windowRemaining) {
        windowRemaining = rateLimit.remaining;
      }
      if (rateLimit.limit !== undefined) windowLimit = rateLimit.limit;
      if (fresh) windowResetAt = rateLimit.resetAt ?? now + 60_000;
    }
  };

  const render = (now: number): string => {
    const out: Array<string> = [];
    const family = (name: string, type: string, help: string) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    const sample = (name: string, pairs: Readonly<Record<string, string>>, value: number) => {
      const text = labels(pairs);
      out.push(`${name}${text === "" ? "" : `{${text}}`} ${number(value)}`);
    };

    family("miro_token_watcher_tokens", "gauge", "Watched tokens by state.");
    for (const [state, count] of board.countByState()) {
      sample("miro_token_watcher_tokens", { state }, count);
    }
    family(
      "miro_token_watcher_status_events_total",
      "counter",
      "Status changes reported (NDJSON lines), by new state.",
    );
    for (const [state, count] of [...events].sort()) {
      sample("miro_token_watcher_status_events_total", { state }, count);
    }
    family(
      "miro_token_watcher_refreshes_total",
      "counter",
      "Token refreshes by outcome (succeeded: a new pair was persisted).",
    );
    for (const [outcome, count] of refreshes) {
      sample("miro_token_watcher_refreshes_total", { outcome }, count);
    }
    family(
      "miro_token_watcher_failures_total",
      "counter",
      "Failure statuses by kind (error tag and transport kind or HTTP status).",
    );
    for (const [kind, count] of [...failures].sort()) {
      sample("miro_token_watcher_failures_total", { kind }, count);
    }
    family(
      "miro_token_watcher_requests_total",
      "counter",
      "HTTP requests to Miro (each attempt) by route and HTTP status or transport error kind.",
    );
    for (const [key, count] of [...requests].sort()) {
      const [route, outcome] = key.split("\u0000") as [string, string];
      sample("miro_token_watcher_requests_total", { route, status: outcome }, count);
    }
    family(
      "miro_token_watcher_request_duration_seconds",
      "histogram",
      "Latency of HTTP requests to Miro by route (token_info is the probe).",
    );
    for (const [route, h] of [...latency].sort()) {
      LATENCY_BUCKETS.forEach((le, i) => {
        sample(
          "miro_token_watcher_request_duration_seconds_bucket",
          { route, le: String(le) },
          h.counts[i]!,
        );
      });
      sample("miro_token_watcher_request_duration_seconds_bucket", { route, le: "+Inf" }, h.count);
      sample("miro_token_watcher_request_duration_seconds_sum", { route }, h.sum);
      sample("miro_token_watcher_request_duration_seconds_count", { route }, h.count);
    }
    family(
      "miro_token_watcher_probe_credits_total",
      "counter",
      `Rate-limit credits spent by probing (token-info requests x ${probeCost} credits).`,
    );
    sample("miro_token_watcher_probe_credits_total", {}, probes * probeCost);
    const current = now < windowResetAt;
    family(
      "miro_token_watcher_rate_limit_remaining",
      "gauge",
      "Lowest X-RateLimit-Remaining seen in the current rate-limit window (-1: none seen).",
    );
    sample("miro_token_watcher_rate_limit_remaining", {}, current ? (windowRemaining ?? -1) : -1);
    family(
      "miro_token_watcher_rate_limit_limit",
      "gauge",
      "X-RateLimit-Limit last seen (credits per window; -1: none seen).",
    );
    sample("miro_token_watcher_rate_limit_limit", {}, windowLimit ?? -1);
    family(
      "miro_token_watcher_rate_limit_headroom_ratio",
      "gauge",
      "Lowest remaining / limit in the current window (1 when nothing was spent or seen).",
    );
    sample(
      "miro_token_watcher_rate_limit_headroom_ratio",
      {},
      current && windowRemaining !== undefined && windowLimit !== undefined && windowLimit > 0
        ? windowRemaining / windowLimit
        : 1,
    );
    family("miro_token_watcher_sse_clients", "gauge", "Open /events connections.");
    sample("miro_token_watcher_sse_clients", {}, options.sseClients?.() ?? 0);
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    family("process_resident_memory_bytes", "gauge", "Resident set size.");
    sample("process_resident_memory_bytes", {}, memory.rss);
    family("nodejs_heap_used_bytes", "gauge", "V8 heap in use.");
    sample("nodejs_heap_used_bytes", {}, memory.heapUsed);
    family("process_cpu_seconds_total", "counter", "User and system CPU time.");
    sample("process_cpu_seconds_total", {}, (cpu.user + cpu.system) / 1e6);
    family(
      "nodejs_eventloop_delay_p99_seconds",
      "gauge",
      "99th percentile of event-loop delay since start.",
    );
    sample("nodejs_eventloop_delay_p99_seconds", {}, loopDelay.percentile(99) / 1e9);
    family("miro_token_watcher_uptime_seconds", "gauge", "Seconds since the watcher started.");
    sample("miro_token_watcher_uptime_seconds", {}, (now - startedAt) / 1000);
    return `${out.join("\n")}\n${options.extra?.() ?? ""}`;
  };

  return { observeChange, observeExchange, render, close: () => loopDelay.disable() };
};
