/**
 * The undici engine: one `Agent`, which keeps a keep-alive `Pool` per origin, and its
 * `request` API (no WHATWG streams, no fetch spec machinery). undici's own 300 s headers and
 * body timeouts are turned off: timing is core's.
 *
 * @since 0.1.0
 */

import { setImmediate } from "node:timers";
import type { TransportRequest } from "@miro-token/core";
import { type Exchange, ResponseBody, ResponseHeaders } from "@miro-token/core";
import { Agent } from "undici";
import type { EngineOptions, NodeEngine } from "./NodeEngine.ts";

function* headerPairs(
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
): Generator<readonly [string, string]> {
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (typeof value === "string") yield [name, value];
    else for (const each of value) yield [name, each];
  }
}

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
    const url = new URL(request.url);
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal,
    });
    const headers = ResponseHeaders.fromEntries(headerPairs(response.headers));
    const body = await ResponseBody.readBodyCapped(response.body, request.maxBodyBytes);
    // With pipelining 1, undici marks the connection free again in a `setImmediate` after the
    // response ends; a request sent before that finds it busy and opens a second socket.
    // Yielding once here keeps sequential calls on one keep-alive socket.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { status: response.statusCode, headers, body };
  };
  return { exchange, close: () => agent.destroy() };
};
