/**
 * Builds the `TokenClient` a command runs against from the shared options: the base URL
 * (`--base-url`, `MIRO_API_BASE_URL`), timeouts and retries, client credentials
 * (`MIRO_CLIENT_ID`/`--client-id`, `MIRO_CLIENT_SECRET`/`--client-secret-file`) and the
 * transport. Each transport is loaded with `import()` only when chosen; the default, node:http
 * (transport-node's `node-http` entry), loads neither undici nor Node's `fetch`, so a command
 * that sends one request starts small.
 *
 * The transport is wrapped once to report each request (method, origin and path, status,
 * time) as a `--verbose` diagnostic and to count requests in flight (the watch spinner).
 */
import {
  checkBaseUrl as checkBaseUrlRule,
  endpointOf,
  type HttpTransport,
  INSECURE_HTTP_WARNING,
  MiroConfig,
  type MiroConfigOptions,
  observeTransport,
  TokenClient,
} from "@miro-token/core";
import { Duration, Effect, Layer, Option, type Redacted, Result } from "effect";
import { durationOption } from "./DurationText.ts";
import { ENV, envVar } from "./Env.ts";
import { UsageError } from "./Failure.ts";
import { GLOBAL_DEFAULTS, type TransportName } from "./GlobalDefaults.ts";
import type { GlobalOptions } from "./GlobalOptions.ts";
import { diagnostic, type OutputMode, warn } from "./Output.ts";
import { checkSecretText, readSecretFile } from "./TokenInput.ts";

/** Most `--retries` accepted: more would only hold a script up. */
export const MAX_RETRIES = 10;

/** Observers of the requests a client sends. */
export interface RequestHooks {
  readonly onStart?: () => void;
  readonly onEnd?: () => void;
}

/** The resolved connection settings (no secrets), for diagnostics and tests. */
export interface ConnectionSettings {
  readonly baseUrl: string;
  /** `--allow-insecure-http`: plain http: to a non-loopback host. @default false */
  readonly allowInsecureHttp?: boolean | undefined;
  readonly transport: TransportName;
  readonly attemptTimeout: Duration.Duration;
  readonly retries: number;
  readonly clientId: string | undefined;
  readonly hasClientSecret: boolean;
}

/** Core's base URL rule as a usage error (exit 2) that never quotes the URL; warns when allowed in clear. */
const checkBaseUrl = (
  text: string,
  allowInsecureHttp: boolean,
): Effect.Effect<string, UsageError> => {
  const checked = checkBaseUrlRule(text, { allowInsecureHttp });
  if (Result.isFailure(checked)) {
    return Effect.fail(
      new UsageError({ reason: `--base-url (or MIRO_API_BASE_URL) ${checked.failure.reason}` }),
    );
  }
  return checked.success.insecure
    ? Effect.as(warn(INSECURE_HTTP_WARNING), checked.success.url)
    : Effect.succeed(checked.success.url);
};

const clientSecretOf = (options: GlobalOptions) =>
  Effect.gen(function* () {
    const text = Option.isSome(options.clientSecretFile)
      ? yield* readSecretFile(options.clientSecretFile.value, "--client-secret-file")
      : yield* envVar(ENV.clientSecret);
    return text === undefined ? undefined : yield* checkSecretText("client secret", text);
  });

/** Resolve and check the shared connection options. */
export const resolveConnection = (options: GlobalOptions) =>
  Effect.gen(function* () {
    const baseUrl = yield* checkBaseUrl(
      Option.getOrUndefined(options.baseUrl) ??
        (yield* envVar(ENV.baseUrl)) ??
        GLOBAL_DEFAULTS.baseUrl,
      options.allowInsecureHttp === true,
    );
    const attemptTimeout = yield* durationOption("--timeout", options.timeout);
    if (
      !Number.isInteger(options.retries) ||
      options.retries < 0 ||
      options.retries > MAX_RETRIES
    ) {
      return yield* new UsageError({ reason: `--retries must be 0 to ${MAX_RETRIES}` });
    }
    const clientId = Option.getOrUndefined(options.clientId) ?? (yield* envVar(ENV.clientId));
    const clientSecret = yield* clientSecretOf(options);
    const settings: ConnectionSettings = {
      baseUrl,
      allowInsecureHttp: options.allowInsecureHttp === true,
      transport: options.transport,
      attemptTimeout,
      retries: options.retries,
      clientId,
      hasClientSecret: clientSecret !== undefined,
    };
    return { settings, clientSecret };
  });

const transportLayer = (name: TransportName): Effect.Effect<Layer.Layer<HttpTransport>> => {
  switch (name) {
    case "node":
      return Effect.promise(() => import("@miro-token/transport-node/node-http")).pipe(
        Effect.map((module) => module.NodeHttpTransport.layer),
      );
    case "undici":
      return Effect.promise(() => import("@miro-token/transport-node")).pipe(
        Effect.map((module) => module.NodeTransport.layer),
      );
    case "fetch":
      return Effect.promise(() => import("@miro-token/transport-fetch")).pipe(
        Effect.map((module) => module.FetchTransport.layer),
      );
    case "ky":
      return Effect.promise(() => import("@miro-token/transport-ky")).pipe(
        Effect.map((module) => module.KyTransport.layer),
      );
  }
};

const observed = (
  inner: Layer.Layer<HttpTransport>,
  mode: Pick<OutputMode, "verbose">,
  hooks: RequestHooks,
): Layer.Layer<HttpTransport> =>
  observeTransport(inner, {
    onStart: () => Effect.sync(() => hooks.onStart?.()),
    onSettled: (request, outcome, millis) => {
      const where = `${request.method} ${endpointOf(request.url)}`;
      const took = `${Math.round(millis)} ms`;
      const done = Effect.sync(() => hooks.onEnd?.());
      switch (outcome._tag) {
        case "Response":
          return Effect.andThen(
            diagnostic(mode, `${where} -> ${outcome.response.status} in ${took}`),
            done,
          );
        case "Failure":
          return Effect.andThen(
            diagnostic(
              mode,
              `${where} -> ${outcome.error.kind} (${outcome.error.reason}) in ${took}`,
            ),
            done,
          );
        case "Interrupted":
          return done;
      }
    },
  });

/** The configuration core runs with, from resolved settings. */
export const miroConfigOptions = (
  settings: ConnectionSettings,
  clientSecret: Redacted.Redacted<string> | undefined,
): MiroConfigOptions => {
  const timeoutMillis = Duration.toMillis(settings.attemptTimeout);
  return {
    baseUrl: settings.baseUrl,
    allowInsecureHttp: settings.allowInsecureHttp,
    attemptTimeout: settings.attemptTimeout,
    // Long enough for every attempt to time out once, and never shorter than core's default.
    deadline: Duration.millis(Math.max(30_000, timeoutMillis * (settings.retries + 1) + 10_000)),
    retry: { limit: settings.retries + 1 },
    clientId: settings.clientId,
    clientSecret,
  };
};

/** The token client for resolved settings (what `makeClientLayer` and the demo build). */
export const clientLayerFor = (
  settings: ConnectionSettings,
  clientSecret: Redacted.Redacted<string> | undefined,
  mode: Pick<OutputMode, "verbose">,
  hooks: RequestHooks = {},
  extra: Pick<MiroConfigOptions, "allowV1Revoke"> = {},
): Effect.Effect<Layer.Layer<TokenClient>> =>
  Effect.gen(function* () {
    yield* diagnostic(
      mode,
      `base URL ${settings.baseUrl}, transport ${settings.transport}, timeout ${Duration.format(settings.attemptTimeout)}, retries ${settings.retries}, client id ${settings.clientId ?? "(none)"}, client secret ${settings.hasClientSecret ? "(set, masked)" : "(none)"}`,
    );
    const transport = observed(yield* transportLayer(settings.transport), mode, hooks);
    return TokenClient.layer.pipe(
      Layer.provide(
        Layer.mergeAll(
          transport,
          MiroConfig.layer({ ...miroConfigOptions(settings, clientSecret), ...extra }),
        ),
      ),
    );
  });

/**
 * The token client for this run, plus its settings. `hooks` observe every request.
 */
export const makeClientLayer = (
  options: GlobalOptions,
  mode: Pick<OutputMode, "verbose">,
  hooks: RequestHooks = {},
  extra: Pick<MiroConfigOptions, "allowV1Revoke"> = {},
) =>
  Effect.gen(function* () {
    const { settings, clientSecret } = yield* resolveConnection(options);
    const layer = yield* clientLayerFor(settings, clientSecret, mode, hooks, extra);
    return { layer, settings };
  });
