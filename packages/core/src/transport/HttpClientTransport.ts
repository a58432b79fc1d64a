/**
 * The `HttpTransport` over an Effect `HttpClient` (`effect/http`), for programs that already
 * have one: `FetchHttpClient.layer`, `@effect/platform-node`'s undici client, or any client with
 * its own middleware (`HttpClient.mapRequest`, tracing, a proxy dispatcher). Core's policy still
 * applies on top — retry, timeouts, the deadline, error classification — so the client must not
 * retry or fail on a status itself (do not hand over a client piped through `retry` or
 * `filterStatusOk`).
 *
 * It lives in core because it needs nothing but `effect`. It is built on the same transport kit
 * as every adapter (`Exchange.toSend`, `ResponseBody.readBodyCapped`), so request checks, abort
 * on interrupt, the body cap and secret-free errors are the shared ones. Each request runs in its
 * own scope (`HttpClient.withScope`): leaving it — at the cap, on interrupt, or done — aborts the
 * request and drops the connection. Redirects are returned as they are: the fetch client is told
 * `redirect: "manual"` (merged into any `FetchHttpClient.RequestInit` the caller provides).
 * Effect's client traces each request (method, URL, status) with the caller's tracer: core puts
 * no secret in a URL, Effect redacts `authorization` among traced headers, and bodies (where
 * the other secrets travel) are never traced; a testkit canary test holds this.
 *
 * @since 0.1.0
 */
import { type Context, Effect, Layer, Option, type Scope, Stream } from "effect";
import {
  FetchHttpClient,
  HttpBody,
  HttpClient,
  HttpClientError,
  HttpClientRequest,
  HttpClientResponse,
} from "effect/http";
import { HttpTransport, type TransportRequest } from "../HttpTransport.ts";
import * as Exchange from "./Exchange.ts";
import * as ResponseBody from "./ResponseBody.ts";
import * as ResponseHeaders from "./ResponseHeaders.ts";

const toClientRequest = (request: TransportRequest): HttpClientRequest.HttpClientRequest => {
  const { "content-type": contentType, ...headers } = request.headers;
  return HttpClientRequest.make(request.method)(request.url, {
    headers,
    ...(request.body === undefined ? {} : { body: HttpBody.text(request.body, contentType) }),
  });
};

/** What the client failed with, unwrapped to the cause that carries the error code. */
const unwrap = (error: unknown): unknown =>
  HttpClientError.isHttpClientError(error) ? (error.reason.cause ?? error.reason) : error;

const isEmptyBody = (error: HttpClientError.HttpClientError): boolean =>
  error.reason._tag === "EmptyBodyError";

/**
 * The headers and body of a response. A fetch-backed response is read from its Web `Response`,
 * whose headers keep every `Set-Cookie` (Effect's header record keeps the last); any other
 * client's through its byte stream, where "no body" reads as an empty one.
 */
const partsOf = (
  response: HttpClientResponse.HttpClientResponse,
): {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ResponseBody.BodySource | null;
} => {
  const web = HttpClientResponse.toWeb(response);
  if (Option.isSome(web)) {
    return { headers: ResponseHeaders.fromEntries(web.value.headers), body: web.value.body };
  }
  return {
    headers: ResponseHeaders.fromEntries(Object.entries(response.headers)),
    body: Stream.toAsyncIterable(
      response.stream.pipe(Stream.catchIf(isEmptyBody, () => Stream.empty)),
    ),
  };
};

const manualRedirects = Effect.gen(function* () {
  const given = yield* Effect.serviceOption(FetchHttpClient.RequestInit);
  return { ...Option.getOrElse(given, () => ({})), redirect: "manual" as const };
});

const exchangeWith =
  (client: HttpClient.HttpClient, context: Context.Context<never>): Exchange.Exchange =>
  (request, signal) => {
    const scoped = HttpClient.withScope(client);
    const exchange = Effect.gen(function* (): Effect.fn.Return<
      Exchange.Exchanged,
      unknown,
      Scope.Scope
    > {
      const response = yield* scoped.execute(toClientRequest(request));
      const parts = partsOf(response);
      const body = yield* Effect.tryPromise(() =>
        ResponseBody.readBodyCapped(parts.body, request.maxBodyBytes),
      );
      return { status: response.status, headers: parts.headers, body };
    });
    return Effect.runPromiseWith(context)(
      Effect.gen(function* () {
        const init = yield* manualRedirects;
        return yield* Effect.scoped(exchange).pipe(
          Effect.provideService(FetchHttpClient.RequestInit, init),
          Effect.mapError(unwrap),
        );
      }),
      { signal },
    );
  };

/**
 * A transport service over `client`. `context` holds the services the client's requests run
 * with (a tracer, `FetchHttpClient.RequestInit`); {@link layer} passes its own.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  client: HttpClient.HttpClient,
  context: Context.Context<never>,
): HttpTransport["Service"] =>
  Exchange.toTransport("HttpClientTransport.send", exchangeWith(client, context));

/**
 * The transport over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { HttpClientTransport, MiroConfig, TokenClient } from "@miro-token/core"
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 *
 * const ClientLive = TokenClient.layer.pipe(
 *   Layer.provide(HttpClientTransport.layer),
 *   Layer.provide(Layer.merge(FetchHttpClient.layer, MiroConfig.layerConfig())),
 * )
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpTransport, never, HttpClient.HttpClient> = Layer.effect(
  HttpTransport,
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient;
    const context = yield* Effect.context<never>();
    return make(client, context);
  }),
);
