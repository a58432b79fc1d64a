/**
 * The webhook families of `/metrics`, registered in the watcher's metrics registry (so
 * effect's `PrometheusMetrics` writes them and the OTLP exporter sends them, like every other
 * series). They are read when the registry is read, from the sender's running totals and the
 * outbox summary `Webhooks.ts` keeps: nothing is counted twice. Label values are fixed
 * vocabularies (outcomes, delivery states), never ids or URLs.
 *
 * @since 0.1.0
 */
import type { Context, Metric } from "effect";
import { registerCounter, registerGauge } from "../ProcessMetrics.ts";
import type { DispatcherStats } from "./WebhookDispatcher.ts";
import type { WebhookSummary } from "./Webhooks.ts";

/**
 * What the webhook families are read from.
 *
 * @category models
 * @since 0.1.0
 */
export interface WebhookMetricsSource {
  /** The sender's running totals. */
  readonly stats: () => Readonly<DispatcherStats>;
  /** The outbox as last read. */
  readonly summary: () => WebhookSummary;
}

const NAME = "miro_token_watcher_webhook";

/**
 * Register `miro_token_watcher_webhook_attempts_total` (counter, `outcome`),
 * `miro_token_watcher_webhook_events` (gauge, `delivery`) and
 * `miro_token_watcher_webhook_receiver_gone` (gauge) in the registry of `context`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const registerWebhookMetrics = (
  context: Context.Context<never>,
  source: WebhookMetricsSource,
): ReadonlyArray<Metric.Registration> => [
  ...(["delivered", "retry", "failed"] as const).map((outcome) =>
    registerCounter(
      context,
      `${NAME}_attempts_total`,
      "Webhook delivery attempts by outcome.",
      () => {
        const stats = source.stats();
        return outcome === "retry" ? stats.retried : stats[outcome];
      },
      { outcome },
    ),
  ),
  ...(["pending", "delivered", "failed"] as const).map((delivery) =>
    registerGauge(
      context,
      `${NAME}_events`,
      "Events in the outbox by delivery state.",
      () => source.summary()[delivery],
      { delivery },
    ),
  ),
  registerGauge(
    context,
    `${NAME}_receiver_gone`,
    "1 when the receiver answered 410 (sending stopped).",
    () => (source.stats().status === "gone" ? 1 : 0),
  ),
];
