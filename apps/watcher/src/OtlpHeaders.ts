/**
 * The OTLP exporters' extra request headers, by the OpenTelemetry convention: a collector
 * behind an API key (Honeycomb, Grafana Cloud, an authenticating proxy) is reached with
 * `OTEL_EXPORTER_OTLP_HEADERS` (both signals), `OTEL_EXPORTER_OTLP_TRACES_HEADERS` and
 * `OTEL_EXPORTER_OTLP_METRICS_HEADERS` (one signal each; a name there wins over the shared
 * list), each a comma-separated list of `name=value` with URL-encoded values.
 *
 * Header values are credentials, so:
 * - they are read from the environment only (no flag: argv is visible to every user), and held
 *   `Redacted` from the moment they are parsed;
 * - a problem names the variable and the entry's position, never a name or a value;
 * - a value that `fetch` could not send (control characters, characters beyond Latin-1) is
 *   refused here, before `fetch` would quote it in its error;
 * - they travel only over TLS or to a loopback host: an `http:` endpoint on another host is
 *   refused when headers are set, by core's one plain-HTTP rule (`checkBaseUrl`).
 *
 * @since 0.3.0
 */
import { checkBaseUrl, settingConfig } from "@miro-token/core";
import { Effect, Option, Redacted, Result } from "effect";
import { configProblem } from "./SettingReaders.ts";

/**
 * Header name to value (names in lower case), per signal.
 *
 * @category models
 * @since 0.3.0
 */
export interface OtlpHeaders {
  readonly traces: Readonly<Record<string, Redacted.Redacted<string>>>;
  readonly metrics: Readonly<Record<string, Redacted.Redacted<string>>>;
}

/**
 * The variables, shared first.
 *
 * @category constants
 * @since 0.3.0
 */
export const OTLP_HEADER_VARIABLES = {
  shared: "OTEL_EXPORTER_OTLP_HEADERS",
  traces: "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
  metrics: "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
} as const;

/** An HTTP header name (RFC 9110's `token`). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a `fetch` header value may hold (a ByteString without control characters). */
const SENDABLE = /^[\t\x20-\x7e\x80-\xff]*$/;

type HeaderMap = Readonly<Record<string, Redacted.Redacted<string>>>;

/**
 * Parse one variable's list: the headers, or a problem that never quotes the text.
 *
 * @category parsing
 * @since 0.3.0
 */
export const parseHeaderList = (
  variable: string,
  text: string,
): Result.Result<HeaderMap, string> => {
  const headers: Record<string, Redacted.Redacted<string>> = {};
  const entries = text.split(",");
  for (const [index, raw] of entries.entries()) {
    const entry = raw.trim();
    if (entry === "") continue;
    const at = `${variable}: entry ${index + 1}`;
    const equals = entry.indexOf("=");
    const name = equals < 0 ? "" : entry.slice(0, equals).trim();
    if (!HEADER_NAME.test(name))
      return Result.fail(`${at} must be name=value with an HTTP header name (values URL-encoded)`);
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      return Result.fail(`${at} has a value that is not valid URL encoding`);
    }
    if (!SENDABLE.test(value))
      return Result.fail(
        `${at} has a value that cannot be sent in a header (control characters or characters beyond Latin-1)`,
      );
    headers[name.toLowerCase()] = Redacted.make(value);
  }
  return Result.succeed(headers);
};

const readList = (variable: string): Effect.Effect<Result.Result<HeaderMap, string>> =>
  settingConfig(variable).pipe(
    Effect.map(
      Option.match({
        onNone: () => Result.succeed({}),
        onSome: (text) => parseHeaderList(variable, text),
      }),
    ),
    Effect.catch((error) => Effect.succeed(Result.fail(configProblem(error, variable)))),
  );

/**
 * Read the three variables: the headers per signal (`undefined` when none is set), or the
 * problems.
 *
 * @category parsing
 * @since 0.3.0
 */
export const readOtlpHeaders: Effect.Effect<
  Result.Result<OtlpHeaders | undefined, ReadonlyArray<string>>
> = Effect.map(
  Effect.all([
    readList(OTLP_HEADER_VARIABLES.shared),
    readList(OTLP_HEADER_VARIABLES.traces),
    readList(OTLP_HEADER_VARIABLES.metrics),
  ]),
  ([shared, traces, metrics]) => {
    const problems = [shared, traces, metrics].flatMap((r) =>
      Result.isFailure(r) ? [r.failure] : [],
    );
    if (problems.length > 0) return Result.fail(problems);
    const [base, own, theirs] = [shared, traces, metrics].map((r) =>
      Result.isSuccess(r) ? r.success : {},
    ) as [HeaderMap, HeaderMap, HeaderMap];
    const headers = { traces: { ...base, ...own }, metrics: { ...base, ...theirs } };
    const none = Object.keys(headers.traces).length + Object.keys(headers.metrics).length === 0;
    return Result.succeed(none ? undefined : headers);
  },
);

/**
 * Why headers must not go to `endpoint` (plain `http:` to a host outside loopback: they would
 * travel in clear), by core's plain-HTTP rule; `undefined` when they may.
 *
 * @category validation
 * @since 0.3.0
 */
export const headersRefusedFor = (endpoint: URL): string | undefined => {
  const checked = checkBaseUrl(endpoint.origin);
  return Result.isFailure(checked) && checked.failure.kind === "insecure-http"
    ? `${OTLP_HEADER_VARIABLES.shared} (and the per-signal lists) carry credentials: the OTLP endpoint must use https: (plain http: only to a loopback host: 127.0.0.0/8, ::1, localhost)`
    : undefined;
};

/**
 * The plain header record an exporter sends (the values revealed only here).
 *
 * @category formatting
 * @since 0.3.0
 */
export const revealHeaders = (
  headers: HeaderMap | undefined,
): Record<string, string> | undefined =>
  headers === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name, Redacted.value(value)]),
      );
