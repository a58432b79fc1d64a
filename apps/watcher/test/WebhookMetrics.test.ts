/**
 * The webhook families as effect metrics: registered in the watcher's registry they come out
 * of `/metrics` (effect's `PrometheusMetrics`) with the names, types and labels the README
 * documents, read from the sender's totals and the outbox summary when the registry is read.
 */
import { Context, Metric } from "effect";
import { describe, expect, it } from "vitest";
import { makeMetrics } from "../src/Metrics.ts";
import { makeStatusBoard } from "../src/StatusBoard.ts";
import type { DispatcherStats } from "../src/webhooks/WebhookDispatcher.ts";
import { registerWebhookMetrics } from "../src/webhooks/WebhookMetrics.ts";
import type { WebhookSummary } from "../src/webhooks/Webhooks.ts";
import { parsePrometheusText, seriesValue } from "./PrometheusText.ts";

describe("webhook metrics", () => {
  it("are typed families in the watcher's registry, read at scrape time", () => {
    const registry: Metric.MetricRegistry = new Map();
    const metrics = makeMetrics({ board: makeStatusBoard(), registry });
    try {
      const stats: DispatcherStats = {
        status: "ok",
        delivered: 3,
        retried: 2,
        failed: 1,
        lastError: undefined,
      };
      let summary: WebhookSummary = {
        url: "https://hooks.example/x",
        status: "ok",
        pending: 4,
        delivered: 5,
        failed: 6,
        lastError: null,
        recent: [],
      };
      registerWebhookMetrics(Context.make(Metric.MetricRegistry, registry), {
        stats: () => stats,
        summary: () => summary,
      });
      const text = metrics.render(Date.now());
      for (const [name, type] of [
        ["miro_token_watcher_webhook_attempts_total", "counter"],
        ["miro_token_watcher_webhook_events", "gauge"],
        ["miro_token_watcher_webhook_receiver_gone", "gauge"],
      ]) {
        expect(text).toContain(`# TYPE ${name} ${type}\n`);
      }
      const first = parsePrometheusText(text);
      const attempts = "miro_token_watcher_webhook_attempts_total";
      expect(seriesValue(first, attempts, { outcome: "delivered" })).toBe(3);
      expect(seriesValue(first, attempts, { outcome: "retry" })).toBe(2);
      expect(seriesValue(first, attempts, { outcome: "failed" })).toBe(1);
      const events = "miro_token_watcher_webhook_events";
      expect(seriesValue(first, events, { delivery: "pending" })).toBe(4);
      expect(seriesValue(first, "miro_token_watcher_webhook_receiver_gone")).toBe(0);

      // Later totals show at the next scrape.
      stats.delivered = 7;
      stats.status = "gone";
      summary = { ...summary, pending: 0 };
      const second = parsePrometheusText(metrics.render(Date.now()));
      expect(seriesValue(second, attempts, { outcome: "delivered" })).toBe(7);
      expect(seriesValue(second, events, { delivery: "pending" })).toBe(0);
      expect(seriesValue(second, "miro_token_watcher_webhook_receiver_gone")).toBe(1);
    } finally {
      metrics.close();
    }
  });
});
