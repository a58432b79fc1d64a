/**
 * The watcher's HTTP routes as an effect `HttpRouter` application: `/` (the status page),
 * `/healthz`, `/tokens`, `/events` (Server-Sent Events, `SseHub.ts`) and `/metrics`.
 *
 * GET and HEAD only (the router answers HEAD with the GET route, headers and no body); any
 * other method on a known path is 405 with `Allow`, an unknown path 404. One global middleware
 * applies `HttpAccess.ts` before any route runs — 421 for a `Host` not served (DNS
 * rebinding), 401 without the access token on a data route — and sets the security headers
 * (`nosniff`, `no-store`) on every answer.
 *
 * @since 0.1.0
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest";
import { Effect, Layer } from "effect";
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http";
import { type HttpAccess, makeAccessCheck } from "../HttpAccess.ts";
import type { Metrics } from "../Metrics.ts";
import type { StatusBoard, TokenState } from "../StatusBoard.ts";
import { STATUS_PAGE } from "../StatusPage.ts";
import type { SseHub } from "./SseHub.ts";

/**
 * What `/healthz` reports. `degraded` (HTTP 200: the watcher works, and a restart would not
 * mend a corrupt file) means some store entries are quarantined; `stopping` and `failed` are 503.
 *
 * @category models
 * @since 0.1.0
 */
export interface Health {
  readonly status: "ok" | "degraded" | "stopping" | "failed";
  /** Why the watch failed (a store error), secret-free. */
  readonly error?: string | undefined;
  /** How many store entries are quarantined (unreadable), when `degraded`. */
  readonly quarantined?: number | undefined;
}

/**
 * What the routes read.
 *
 * @category models
 * @since 0.1.0
 */
export interface RoutesOptions {
  readonly board: StatusBoard;
  readonly metrics: Metrics;
  readonly health: () => Health;
  /** The address the server is bound to (always answered as a `Host`). */
  readonly host: string;
  readonly access?: HttpAccess | undefined;
  /** Webhook delivery state, shown in `/tokens` when webhooks are on. */
  readonly webhooks?: (() => unknown) | undefined;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
} as const;

const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'",
} as const;

const PATHS = ["/", "/healthz", "/tokens", "/events", "/metrics"] as const;

const json = (
  value: unknown,
  options: { readonly status?: number; readonly headers?: Record<string, string> } = {},
) =>
  HttpServerResponse.text(`${JSON.stringify(value)}\n`, {
    ...options,
    contentType: "application/json; charset=utf-8",
  });

/** The `/tokens` document (also the snapshot that opens `/events`). */
export const tokensDocument = (board: StatusBoard, webhooks: (() => unknown) | undefined) => {
  const snapshot = board.snapshot();
  const byState: Partial<Record<TokenState, number>> = {};
  for (const [state, count] of board.countByState()) if (count > 0) byState[state] = count;
  return {
    time: new Date().toISOString(),
    count: snapshot.length,
    byState,
    tokens: snapshot,
    ...(webhooks === undefined ? {} : { webhooks: webhooks() }),
  };
};

/** A route answering GET and HEAD; 405 for any other method. */
const route = <E, R>(
  path: (typeof PATHS)[number],
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
) =>
  HttpRouter.add(
    "*",
    path,
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      request.method === "GET" || request.method === "HEAD"
        ? handler
        : Effect.succeed(
            json({ error: "method not allowed" }, { status: 405, headers: { allow: "GET, HEAD" } }),
          ),
    ),
  );

/** Access (421, 401) before routing, security headers after. */
const accessMiddleware = (options: RoutesOptions) => {
  const access = makeAccessCheck(options.host, options.access);
  return HttpRouter.middleware(
    (app) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const path = request.url.split("?")[0]!;
        const { host, authorization } = request.headers;
        const verdict = access.check(path, { host, authorization });
        const answer =
          verdict === "misdirected"
            ? Effect.succeed(
                json(
                  { error: "misdirected request: this Host is not served (--allowed-host)" },
                  { status: 421 },
                ),
              )
            : verdict === "unauthorized"
              ? Effect.succeed(
                  json(
                    { error: "an access token is required: Authorization: Bearer <token>" },
                    {
                      status: 401,
                      headers: { "www-authenticate": 'Bearer realm="miro-token-watcher"' },
                    },
                  ),
                )
              : app;
        return Effect.map(answer, HttpServerResponse.setHeaders(SECURITY_HEADERS));
      }),
    { global: true },
  );
};

/**
 * The application layer: every route and the access middleware, for `HttpRouter.toHttpEffect`.
 *
 * @category layers
 * @since 0.1.0
 */
export const routesLayer = (options: RoutesOptions, hub: SseHub) => {
  const { board, metrics } = options;
  return Layer.mergeAll(
    route(
      "/",
      Effect.succeed(
        HttpServerResponse.text(STATUS_PAGE, {
          contentType: "text/html; charset=utf-8",
          headers: PAGE_HEADERS,
        }),
      ),
    ),
    route(
      "/healthz",
      Effect.sync(() => {
        const health = options.health();
        const ok = health.status === "ok" || health.status === "degraded";
        return json(
          { ...health, tokens: board.size(), sseClients: hub.clients() },
          { status: ok ? 200 : 503 },
        );
      }),
    ),
    route(
      "/tokens",
      Effect.sync(() => json(tokensDocument(board, options.webhooks))),
    ),
    route(
      "/events",
      Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
        const response = NodeHttpServerRequest.toServerResponse(request);
        return hub.respond({
          unsent: () => response.writableLength,
          cut: () => response.destroy(),
        });
      }),
    ),
    route(
      "/metrics",
      Effect.sync(() =>
        HttpServerResponse.text(metrics.render(Date.now()), {
          contentType: "text/plain; version=0.0.4; charset=utf-8",
        }),
      ),
    ),
    HttpRouter.add(
      "*",
      "*",
      Effect.succeed(json({ error: "not found", paths: PATHS }, { status: 404 })),
    ),
    accessMiddleware(options),
  );
};
