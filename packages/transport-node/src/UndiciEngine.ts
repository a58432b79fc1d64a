/**
 * The undici engine: one `Agent`, which keeps a keep-alive `Pool` per origin, driven through its
 * `dispatch` API with a handler of our own: no `AbortSignal`, no `Readable` body stream, no
 * promise and no async resource per request (what undici's `request` builds), so the exchange
 * costs less than a bare `Pool.request`. undici's own 300 s headers and body timeouts are turned
 * off: timing is core's (handed over as `request.timeout`, enforced by `Exchange` through the
 * abort function this engine returns).
 *
 * The per-request work is kept to what varies: a URL's origin and path are split once and
 * remembered, headers are copied without an iterator, and body chunks are counted against the
 * cap as they arrive and decoded once at the end.
 *
 * @since 0.1.0
 */

import { setImmediate } from "node:timers";
import { type Exchange, ResponseBody } from "@miro-token/core";
import { Agent, type Dispatcher } from "undici";
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

/** Why the engine aborted an exchange (never shown: `Exchange` has already settled it). */
const abortReason = (): Error => new Error("aborted by the transport");

/** A body from its chunks, as UTF-8 with invalid sequences replaced. */
const textOf = (chunks: ReadonlyArray<Buffer>, length: number): string =>
  chunks.length === 1
    ? chunks[0]!.toString("utf8")
    : Buffer.concat(chunks, length).toString("utf8");

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
  const dispatch: Exchange.Dispatch = (request, listener) => {
    const { origin, path } = targetOf(request.url);
    const { maxBodyBytes } = request;
    let controller: Dispatcher.DispatchController | null = null;
    let aborted = false;
    let done = false;
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Array<Buffer> = [];
    let received = 0;
    const respond = (body: string | ResponseBody.BodyTooLarge): void => {
      done = true;
      listener.onResponse({ status, headers, body });
    };
    agent.dispatch(
      {
        origin,
        path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
      },
      {
        onRequestStart: (started) => {
          controller = started;
          if (aborted) started.abort(abortReason());
        },
        onResponseStart: (_controller, statusCode, responseHeaders) => {
          status = statusCode;
          headers = headersOf(responseHeaders);
        },
        onResponseData: (_controller, chunk) => {
          if (done) return;
          received += chunk.length;
          if (received > maxBodyBytes) respond(ResponseBody.BodyTooLarge);
          else chunks.push(chunk);
        },
        onResponseEnd: () => {
          if (done) return;
          const body = textOf(chunks, received);
          done = true;
          // With pipelining 1, undici marks the connection free again in a `setImmediate` it
          // schedules right after this callback returns; a request sent before that finds it
          // busy and opens a second socket. Answering in an immediate queued behind undici's
          // keeps sequential calls on one socket.
          queueMicrotask(() => setImmediate(() => listener.onResponse({ status, headers, body })));
        },
        onResponseError: (_controller, error) => {
          if (done) return;
          done = true;
          listener.onFailure(error);
        },
      },
    );
    return () => {
      if (aborted) return;
      aborted = true;
      controller?.abort(abortReason());
    };
  };
  return { dispatch, close: () => agent.destroy() };
};
