/**
 * A small OTLP/HTTP receiver for the tests: an HTTP server on port 0 that records every POST to
 * `/v1/traces` and `/v1/metrics` (JSON bodies, `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) with
 * their request headers and answers 200, as a collector would (or `status`, as one refusing an
 * API key).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A received export: its path, content type, headers and raw body. */
export interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;
  readonly body: string;
}

/** Start a receiver answering `status` (200 unless told); `close` stops it. */
export const startOtlpReceiver = async (status = 200) => {
  const received: Array<Received> = [];
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "POST")
        received.push({
          path: request.url ?? "",
          contentType: request.headers["content-type"] ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      response.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** The bodies posted to `path`, parsed. */
    json: (path: string) =>
      received
        .filter((r) => r.path === path)
        .map((r) => JSON.parse(r.body) as Record<string, unknown>),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** Every span name in trace exports. */
export const spanNames = (exports: ReadonlyArray<Record<string, unknown>>): Array<string> =>
  exports.flatMap((e) =>
    (e.resourceSpans as Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>).flatMap(
      (r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)),
    ),
  );

/** Every metric name in metric exports. */
export const metricNames = (exports: ReadonlyArray<Record<string, unknown>>): Array<string> =>
  exports.flatMap((e) =>
    (
      e.resourceMetrics as Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }>
    ).flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name))),
  );

/** One exported data point: its attributes (string values) and its value. */
export interface MetricPoint {
  readonly attributes: Readonly<Record<string, string>>;
  readonly value: number;
}

interface JsonPoint {
  readonly attributes?: ReadonlyArray<{ key: string; value: { stringValue?: string } }>;
  readonly asDouble?: number;
  readonly asInt?: number | string;
}

/** Every sum or gauge data point exported for the metric `name`, across all exports. */
export const metricPoints = (
  exports: ReadonlyArray<Record<string, unknown>>,
  name: string,
): Array<MetricPoint> =>
  exports.flatMap((e) =>
    (
      e.resourceMetrics as Array<{
        scopeMetrics: Array<{
          metrics: Array<{
            name: string;
            sum?: { dataPoints: Array<JsonPoint> };
            gauge?: { dataPoints: Array<JsonPoint> };
          }>;
        }>;
      }>
    ).flatMap((r) =>
      r.scopeMetrics.flatMap((s) =>
        s.metrics
          .filter((m) => m.name === name)
          .flatMap((m) => m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [])
          .map((p) => ({
            attributes: Object.fromEntries(
              (p.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? ""]),
            ),
            value: Number(p.asDouble ?? p.asInt ?? Number.NaN),
          })),
      ),
    ),
  );
