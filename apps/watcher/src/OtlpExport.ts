/**
 * The OTLP exporters themselves, in a module of their own so that `Telemetry.ts` loads them
 * (with `import()`) only when export is on: effect's `OtlpTracer` and `OtlpMetrics` over its
 * fetch-based `HttpClient`, protobuf or JSON, with the configured headers on every request (the
 * only place their values are revealed; their names join the header names effect redacts, so an
 * exporter's failure, logged with its request, shows none of them). Logs are not exported.
 *
 * @since 0.1.0
 */
import { Layer } from "effect";
import { FetchHttpClient, Headers } from "effect/http";
import {
  type OtlpExporter,
  OtlpMetrics,
  OtlpSerialization,
  OtlpTracer,
} from "effect/observability";
import { revealHeaders } from "./OtlpHeaders.ts";
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
  const { exportInterval, headers } = settings;
  const names = [...Object.keys(headers?.traces ?? {}), ...Object.keys(headers?.metrics ?? {})];
  return Layer.mergeAll(
    OtlpTracer.layer({
      url: url("traces"),
      resource,
      exportInterval,
      headers: revealHeaders(headers?.traces),
    }),
    OtlpMetrics.layer({
      url: url("metrics"),
      resource,
      exportInterval,
      headers: revealHeaders(headers?.metrics),
    }),
  ).pipe(
    Layer.provide(
      Layer.succeed(Headers.CurrentRedactedNames, [
        ...Headers.CurrentRedactedNames.defaultValue(),
        ...names,
      ]),
    ),
    Layer.provide(
      settings.protocol === "http/json"
        ? OtlpSerialization.layerJson
        : OtlpSerialization.layerProtobuf,
    ),
    Layer.provide(FetchHttpClient.layer),
  );
};
