/**
 * The metrics as effect `Metric`s: the watcher's registry is an ordinary effect
 * `MetricRegistry`, so effect's own readers (`Metric.snapshot`, `PrometheusMetrics.format`,
 * and the OTLP exporter the same way) see exactly the series `/metrics` shows, and two
 * watchers never share a series. And the canary sweep for labels: a token, refresh token or
 * access secret in a URL (path or query), a response header, a status reason, a token id or a
 * fingerprint never reaches the exposition; label values stay in their fixed vocabularies.
 */
import type { WatchedStatus } from "@miro-token/core";
import { canaryToken, findLeaks } from "@miro-token/testkit";
import { Effect, Metric } from "effect";
import { PrometheusMetrics } from "effect/observability";
import { describe, expect, it } from "vitest";
import { makeMetrics } from "../src/Metrics.ts";
import { makeStatusBoard, TOKEN_STATES } from "../src/StatusBoard.ts";
import { parsePrometheusText, seriesValue } from "./PrometheusText.ts";

const status = (id: string, fingerprint: string, s: WatchedStatus["status"]): WatchedStatus => ({
  id,
  fingerprint,
  generation: 1,
  status: s,
});

describe("Metrics", () => {
  it("lives in an effect MetricRegistry that effect's readers and exporters can read", async () => {
    const board = makeStatusBoard();
    const metrics = makeMetrics({ board });
    const other = makeMetrics({ board: makeStatusBoard() });
    try {
      board.subscribe(metrics.observeChange);
      board.apply(status("a", "f", { _tag: "Refreshed", generation: 2 }), 0);
      metrics.observeExchange("http://x/v1/oauth-token", 200, 0.02, undefined, 0);
      const now = Date.now();
      const [formatted, snapshot] = await Effect.runPromise(
        Effect.all([PrometheusMetrics.format(), Metric.snapshot]).pipe(
          Effect.provideService(Metric.MetricRegistry, metrics.registry),
        ),
      );
      const byEffect = parsePrometheusText(formatted);
      const ours = parsePrometheusText(metrics.render(now));
      for (const name of [
        "miro_token_watcher_status_events_total",
        "miro_token_watcher_refreshes_total",
        "miro_token_watcher_requests_total",
        "miro_token_watcher_request_duration_seconds_count",
        "miro_token_watcher_probe_credits_total",
        "miro_token_watcher_tokens",
      ]) {
        expect(seriesValue(byEffect, name), name).toBe(seriesValue(ours, name));
      }
      expect(
        seriesValue(ours, "miro_token_watcher_refreshes_total", { outcome: "succeeded" }),
      ).toBe(1);
      expect(seriesValue(ours, "miro_token_watcher_probe_credits_total")).toBe(50);
      const ids = new Set(snapshot.map((m) => m.id));
      expect(ids).toContain("miro_token_watcher_request_duration_seconds");
      expect(snapshot.find((m) => m.id === "miro_token_watcher_probe_credits_total")?.type).toBe(
        "Counter",
      );
      // Another watcher's registry holds none of it.
      const apart = parsePrometheusText(other.render(now));
      expect(seriesValue(apart, "miro_token_watcher_status_events_total")).toBe(0);
      expect(seriesValue(apart, "miro_token_watcher_probe_credits_total")).toBe(0);
    } finally {
      metrics.close();
      other.close();
    }
  });

  it("never puts a token, refresh token or secret in a label", () => {
    const [access, refresh, secret] = [canaryToken(), canaryToken(), canaryToken()];
    const board = makeStatusBoard();
    const metrics = makeMetrics({ board });
    try {
      board.subscribe(metrics.observeChange);
      board.apply(
        status(`id-${access}`, refresh, { _tag: "ReauthorizeRequired", reason: secret }),
        0,
      );
      board.apply(
        status(`id-${refresh}`, access, {
          _tag: "Unreachable",
          error: { tag: "ServerError", status: 503 },
          attempt: 1,
          nextCheckAt: 1,
        }),
        0,
      );
      board.apply(
        status(secret, secret, { _tag: "Invalid", status: 401, code: "tokenInvalid" }),
        0,
      );
      const headers = {
        authorization: `Bearer ${access}`,
        "set-cookie": `session=${secret}`,
        "x-ratelimit-remaining": "99",
        "x-ratelimit-limit": "100000",
      };
      for (const url of [
        `https://api.miro.com/v1/oauth-token?access_token=${access}`,
        `https://api.miro.com/v1/oauth/token?refresh_token=${refresh}&client_secret=${secret}`,
        `https://api.miro.com/v2/oauth/revoke#${access}`,
        `https://${access}.example/${refresh}`,
        `not a url ${secret}`,
      ]) {
        metrics.observeExchange(url, 401, 0.1, headers, 0);
        metrics.observeExchange(url, "Network", 0.2, undefined, 0);
      }
      const text = metrics.render(1);
      expect(findLeaks(text, [access, refresh, secret])).toEqual([]);
      const samples = parsePrometheusText(text);
      const routes = new Set(
        samples.flatMap((s) => (s.labels.route === undefined ? [] : [s.labels.route])),
      );
      expect([...routes].sort()).toEqual(["other", "revoke", "token", "token_info"]);
      for (const s of samples) {
        if (s.labels.state !== undefined) expect(TOKEN_STATES).toContain(s.labels.state);
      }
      expect(
        seriesValue(samples, "miro_token_watcher_failures_total", { kind: "Invalid:tokenInvalid" }),
      ).toBe(1);
      // The sweep itself can fail: a canary in the text is found.
      expect(findLeaks(`${text}${refresh}`, [access, refresh, secret])).not.toEqual([]);
    } finally {
      metrics.close();
    }
  });
});
