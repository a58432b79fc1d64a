/**
 * OpenTelemetry export, off unless asked for: with `--otlp-endpoint` (or the OpenTelemetry
 * convention's `OTEL_EXPORTER_OTLP_ENDPOINT`) the spans core makes (`TokenClient.info`, the
 * refresh protocol, ...) and the watcher's Effect metrics are sent over OTLP/HTTP by effect's
 * own exporters (`effect/observability`: `OtlpTracer`, `OtlpMetrics`) to `/v1/traces` and
 * `/v1/metrics` below it, as protobuf or, with `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`, JSON.
 * `OTEL_SDK_DISABLED=true` turns it off whatever else is set. A collector's API key comes in
 * `OTEL_EXPORTER_OTLP_HEADERS` (and the per-signal lists; `OtlpHeaders.ts`): held `Redacted`,
 * sent only over TLS or to loopback. Logs are not exported (stderr carries them). When off, nothing is loaded or run: the layer
 * is `Layer.empty`, and the exporters (`OtlpExport.ts`) are not even imported.
 *
 * What is exported is what core puts on spans (names, timings, error tags) and metric names
 * with their labels: never a token, a secret or a URL with credentials (a canary test pins it).
 *
 * @since 0.1.0
 */
import { settingConfig } from "@miro-token/core";
import { Effect, Layer, Metric, Option, Result } from "effect";
import { headersRefusedFor, type OtlpHeaders, readOtlpHeaders } from "./OtlpHeaders.ts";
import type { Setting } from "./WatcherFlags.ts";

/**
 * The OTLP wire formats over HTTP (OpenTelemetry's `OTEL_EXPORTER_OTLP_PROTOCOL` values).
 *
 * @category models
 * @since 0.1.0
 */
export type OtlpProtocol = "http/protobuf" | "http/json";

/**
 * Where and how to export.
 *
 * @category models
 * @since 0.1.0
 */
export interface OtlpSettings {
  /** The collector's base URL; signals go to `/v1/traces` and `/v1/metrics` below it. */
  readonly endpoint: string;
  /** @default "http/protobuf" */
  readonly protocol?: OtlpProtocol | undefined;
  /** How often spans and metrics are sent, ms. @default 5000 (spans), 10000 (metrics) */
  readonly exportInterval?: number | undefined;
  /** Extra request headers per signal (a collector's API key): secrets. @default none */
  readonly headers?: OtlpHeaders | undefined;
}

/**
 * What the environment says about export besides the endpoint: the protocol (or `"disabled"`)
 * and the headers (or their problems).
 *
 * @category models
 * @since 0.3.0
 */
export interface OtlpEnvironment {
  readonly protocol: string;
  readonly headers: Result.Result<OtlpHeaders | undefined, ReadonlyArray<string>>;
}

const PROTOCOLS: ReadonlyArray<string> = ["http/protobuf", "http/json"];

/**
 * Reading the OTLP settings: the protocol and the headers from the environment (core's setting
 * rule), the endpoint from its flag or variable (an http(s) URL without credentials; never
 * quoted; `https:` or loopback when headers are set).
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseOtlpSettings = {
  /**
   * The protocol, or `"disabled"` when `OTEL_SDK_DISABLED=true` (OpenTelemetry's off switch),
   * and the headers.
   */
  environment: Effect.zipWith(
    Effect.zipWith(
      settingConfig("OTEL_EXPORTER_OTLP_PROTOCOL").pipe(
        Effect.map(Option.getOrElse(() => "http/protobuf")),
        Effect.orElseSucceed(() => "unreadable"),
      ),
      settingConfig("OTEL_SDK_DISABLED").pipe(
        Effect.map((value) => Option.getOrUndefined(value)?.trim().toLowerCase() === "true"),
        Effect.orElseSucceed(() => false),
      ),
      (protocol, disabled) => (disabled ? "disabled" : protocol),
    ),
    readOtlpHeaders,
    (protocol, headers): OtlpEnvironment => ({ protocol, headers }),
  ),
  endpoint: (
    setting: Setting | undefined,
    { protocol, headers }: OtlpEnvironment,
    problems: Array<string>,
  ): OtlpSettings | undefined => {
    if (setting === undefined || protocol === "disabled") return undefined;
    let url: URL | undefined;
    try {
      url = new URL(setting.text);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      problems.push(`${setting.from} must be an http(s) URL such as http://127.0.0.1:4318`);
      return undefined;
    }
    if (url.username !== "" || url.password !== "") {
      problems.push(`${setting.from} must not carry credentials`);
      return undefined;
    }
    if (!PROTOCOLS.includes(protocol)) {
      problems.push(
        `OTEL_EXPORTER_OTLP_PROTOCOL must be ${PROTOCOLS.join(" or ")} (OTLP over HTTP)`,
      );
      return undefined;
    }
    if (Result.isFailure(headers)) {
      problems.push(...headers.failure);
      return undefined;
    }
    const refused = headers.success === undefined ? undefined : headersRefusedFor(url);
    if (refused !== undefined) {
      problems.push(refused);
      return undefined;
    }
    return {
      endpoint: url.href.replace(/\/$/, ""),
      protocol: protocol as OtlpProtocol,
      ...(headers.success === undefined ? {} : { headers: headers.success }),
    };
  },
};

/**
 * The exporters for `settings` (loaded by `import()` only then), or nothing when export is off.
 * Flushed when the layer is released (the watcher's shutdown).
 *
 * @category layers
 * @since 0.1.0
 */
export const otlpLayer = (
  settings: OtlpSettings | undefined,
  resource: { readonly serviceName: string; readonly serviceVersion: string },
): Layer.Layer<never> =>
  settings === undefined
    ? Layer.empty
    : Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("./OtlpExport.ts")),
          (module) => module.exportLayer(settings, resource),
        ),
      );

/**
 * `miro_token_watcher_build_info{version}`: 1 while a watcher runs (the usual build-info
 * series, so dashboards can tell versions apart).
 *
 * @category metrics
 * @since 0.1.0
 */
export const buildInfo = (version: string): Effect.Effect<void> =>
  Metric.update(
    Metric.gauge("miro_token_watcher_build_info", {
      description: "1 while a watcher of this version runs.",
      attributes: { version },
    }),
    1,
  );
