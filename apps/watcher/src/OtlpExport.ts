/**
 * The OTLP exporters themselves, in a module of their own so that `Telemetry.ts` loads them
 * (with `import()`) only when export is on: effect's `OtlpTracer` and `OtlpMetrics` over its
 * fetch-based `HttpClient`, protobuf or JSON. Logs are not exported.
 *
 * @since 0.1.0
 */
import { Layer } from "effect";
import { FetchHttpClient } from "effect/http";
import {
  type OtlpExporter,
  OtlpMetrics,
  OtlpSerialization,
  OtlpTracer,
} from "effect/observability";
import type { OtlpSettings } from "./Telemetry.ts";

/**
 * The tracer and the metrics exporter for `settings`; each flushes when released.
 *
 * @category layers
 * @since 0.1.0
 */
export const exportLayer = (
  settings: OtlpSettings,
  resource: { readonly serviceName: string; readonly serviceVersion: string },
): Layer.Layer<OtlpExporter.Flusher> => {
  const url = (signal: string) => `${settings.endpoint}/v1/${signal}`;
  return Layer.mergeAll(
    OtlpTracer.layer({ url: url("traces"), resource, exportInterval: settings.exportInterval }),
    OtlpMetrics.layer({ url: url("metrics"), resource, exportInterval: settings.exportInterval }),
  ).pipe(
    Layer.provide(
      settings.protocol === "http/json"
        ? OtlpSerialization.layerJson
        : OtlpSerialization.layerProtobuf,
    ),
    Layer.provide(FetchHttpClient.layer),
  );
};
