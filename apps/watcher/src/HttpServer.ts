/**
 * The watcher's HTTP face on `node:http`: `/` (the status page), `/healthz`, `/tokens`,
 * `/events` (Server-Sent Events) and `/metrics`. GET and HEAD only; anything else is 405 or 404.
 *
 * Access (`HttpAccess.ts`): requests whose `Host` is not allowed get 421 (DNS rebinding);
 * with an access token, the data routes (`/tokens`, `/events`, `/metrics`) answer 401 without
 * `Authorization: Bearer <token>`. The server refuses to start beyond loopback without a token.
 *
 * `/events` sends the board's snapshot first (`event: snapshot`), then one `event: status` per
 * change, and a comment line every `keepAliveInterval` so proxies keep the connection open.
 * Backpressure: each event is serialized once and written to every client; a client whose
 * unsent output passes `maxBufferedBytes` (it stopped reading) is disconnected instead of
 * buffering without bound — its `EventSource` reconnects and gets a fresh snapshot. Closed
 * connections leave the client set at once.
 *
 * @since 0.1.0
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { accessProblem, type HttpAccess, makeAccessCheck } from "./HttpAccess.ts";
import type { Metrics } from "./Metrics.ts";
import type { BoardChange, StatusBoard, TokenState } from "./StatusBoard.ts";
import { STATUS_PAGE } from "./StatusPage.ts";

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

/** `/healthz`'s HTTP status: the watcher is serving (200) or not (503). */
const healthStatusCode = (health: Health): number =>
  health.status === "ok" || health.status === "degraded" ? 200 : 503;

/**
 * Options of {@link startHttpServer}.
 *
 * @category models
 * @since 0.1.0
 */
export interface HttpServerOptions {
  readonly board: StatusBoard;
  readonly metrics: Metrics;
  readonly health: () => Health;
  readonly port: number;
  readonly host: string;
  /** @default 15000 */
  readonly keepAliveInterval?: number | undefined;
  /** @default 1 MiB */
  readonly maxBufferedBytes?: number | undefined;
  /** Host allow-list additions and the access token. @default loopback names only, no token */
  readonly access?: HttpAccess | undefined;
  /** Webhook delivery state, shown in `/tokens` when webhooks are on. */
  readonly webhooks?: (() => unknown) | undefined;
}

/**
 * A listening server.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatcherHttpServer {
  readonly port: number;
  readonly url: string;
  readonly sseClients: () => number;
  /** Close every SSE stream and the server; resolves when no connection is left. */
  readonly close: () => Promise<void>;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
} as const;

const sendBody = (
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  extra: Readonly<Record<string, string>> = {},
) => {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
  });
  res.end(req.method === "HEAD" ? undefined : body);
};

const json = (req: IncomingMessage, res: ServerResponse, status: number, value: unknown) =>
  sendBody(req, res, status, "application/json; charset=utf-8", `${JSON.stringify(value)}\n`);

/**
 * Start listening; resolves once the port is bound (rejects if it cannot be, or when the
 * host is beyond loopback and no access token is set).
 *
 * @category constructors
 * @since 0.1.0
 */
export const startHttpServer = async (options: HttpServerOptions): Promise<WatcherHttpServer> => {
  const { board, metrics } = options;
  const problem = accessProblem(options.host, options.access);
  if (problem !== undefined) throw new Error(problem);
  const access = makeAccessCheck(options.host, options.access);
  const keepAliveInterval = options.keepAliveInterval ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const clients = new Set<ServerResponse>();
  let eventId = 0;

  const send = (res: ServerResponse, chunk: string) => {
    if (res.writableLength > maxBuffered) {
      clients.delete(res);
      res.destroy();
      return;
    }
    res.write(chunk);
  };

  const unsubscribe = board.subscribe((change: BoardChange) => {
    if (clients.size === 0) return;
    eventId += 1;
    const chunk = `id: ${eventId}\nevent: status\ndata: ${JSON.stringify(change.view)}\n\n`;
    for (const res of clients) send(res, chunk);
  });
  const keepAlive = setInterval(() => {
    for (const res of clients) send(res, `: keep-alive ${new Date().toISOString()}\n\n`);
  }, keepAliveInterval);
  keepAlive.unref();

  const tokens = () => {
    const snapshot = board.snapshot();
    const byState: Partial<Record<TokenState, number>> = {};
    for (const [state, count] of board.countByState()) if (count > 0) byState[state] = count;
    return {
      time: new Date().toISOString(),
      count: snapshot.length,
      byState,
      tokens: snapshot,
      ...(options.webhooks === undefined ? {} : { webhooks: options.webhooks() }),
    };
  };

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    res.socket?.setNoDelay(true);
    res.write(
      `retry: 2000\nid: ${eventId}\nevent: snapshot\ndata: ${JSON.stringify(tokens())}\n\n`,
    );
    clients.add(res);
    res.on("close", () => clients.delete(res));
  };

  const routes: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>> = {
    "/": (req, res) =>
      sendBody(req, res, 200, "text/html; charset=utf-8", STATUS_PAGE, {
        "content-security-policy":
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'",
      }),
    "/healthz": (req, res) => {
      const health = options.health();
      json(req, res, healthStatusCode(health), {
        ...health,
        tokens: board.size(),
        sseClients: clients.size,
      });
    },
    "/tokens": (req, res) => json(req, res, 200, tokens()),
    "/events": events,
    "/metrics": (req, res) =>
      sendBody(
        req,
        res,
        200,
        "text/plain; version=0.0.4; charset=utf-8",
        metrics.render(Date.now()),
      ),
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const verdict = access.check(path, req.headers);
    if (verdict === "misdirected") {
      json(req, res, 421, {
        error: "misdirected request: this Host is not served (--allowed-host)",
      });
      return;
    }
    const route = routes[path];
    if (route === undefined) {
      json(req, res, 404, { error: "not found", paths: Object.keys(routes) });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      json(req, res, 405, { error: "method not allowed" });
      return;
    }
    if (verdict === "unauthorized") {
      res.setHeader("www-authenticate", 'Bearer realm="miro-token-watcher"');
      json(req, res, 401, { error: "an access token is required: Authorization: Bearer <token>" });
      return;
    }
    route(req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  return {
    port,
    url: `http://${host}:${port}`,
    sseClients: () => clients.size,
    close: async () => {
      unsubscribe();
      clearInterval(keepAlive);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of clients) res.end();
      clients.clear();
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 1_000);
      await closed;
      clearTimeout(force);
    },
  };
};
