/**
 * The undici engine: one `Agent`, which keeps a keep-alive `Pool` per origin, and its
 * `request` API (no WHATWG streams, no fetch spec machinery). undici's own 300 s headers and
 * body timeouts are turned off: timing is core's (handed over as `request.timeout`).
 *
 * The per-request work is kept to what varies: a URL's origin and path are split once and
 * remembered, headers are copied without an iterator, and a body whose `content-length` is
 * within the cap is read in one piece by undici (which fails a body that overruns its
 * declared length); only a body of unknown or larger length goes through the capped reader.
 *
 * @since 0.1.0
 */

import { setImmediate } from "node:timers";
import type { TransportRequest } from "@miro-token/core";
import { type Exchange, ResponseBody } from "@miro-token/core";
import { Agent } from "undici";
import type { EngineOptions, NodeEngine } from "./NodeEngine.ts";

interface Target {
  readonly origin: string;
  readonly path: string;
}

/** Targets of URLs without a query (a query may hold a token: those are never kept). */
const targets = new Map<string, Target>();
const MAX_REMEMBERED_TARGETS = 256;

const targetOf = (url: string): Target => {
  const known = targets.get(url);
  if (known !== undefined) return known;
  const parsed = new URL(url);
  const target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  if (parsed.search === "" && !url.includes("?")) {
    if (targets.size >= MAX_REMEMBERED_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
};

/** undici's header object as the seam's record: lower-case names, repeats joined by ", ". */
const headersOf = (
  raw: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const rawName in raw) {
    const value = raw[rawName];
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    const joined = typeof value === "string" ? value : value.join(", ");
    const previous = headers[name];
    headers[name] = previous === undefined ? joined : `${previous}, ${joined}`;
  }
  return headers;
};

/** A `content-length` of plain digits, else `undefined`. */
const declaredLength = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;

/**
 * Creates the undici engine. Closing it destroys the agent and every pooled socket.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: EngineOptions): NodeEngine => {
  const agent = new Agent({
    connections: options.connections ?? null,
    keepAliveTimeout: options.keepAliveTimeout,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const exchange = async (
    request: TransportRequest,
    signal: AbortSignal,
  ): Promise<Exchange.Exchanged> => {
    const { origin, path } = targetOf(request.url);
    const response = await agent.request({
      origin,
      path,
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal,
    });
    const headers = headersOf(response.headers);
    const length = declaredLength(headers["content-length"]);
    const body =
      length !== undefined && length <= request.maxBodyBytes
        ? await response.body.text()
        : await ResponseBody.readBodyCapped(response.body, request.maxBodyBytes);
    // With pipelining 1, undici marks the connection free again in a `setImmediate` after the
    // response ends; a request sent before that finds it busy and opens a second socket.
    // Yielding once here keeps sequential calls on one keep-alive socket.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { status: response.statusCode, headers, body };
  };
  return { exchange, close: () => agent.destroy() };
};
