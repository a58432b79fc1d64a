/**
 * How each fault is put on the wire. Some replace the answer with a fixed one (status,
 * malformed, html, empty), some stream (oversized, drip) or break the connection on purpose
 * (truncated, reset). `hang` and `delay` are handled by the request pipeline because they are
 * about timing, not content.
 */
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Fault } from "./Faults.ts";
import { miroError } from "./MiroErrors.ts";
import { type Reply, withDefaultHeaders, writeHead } from "./Reply.ts";

const STATUS_CODES: Readonly<Record<number, string>> = {
  400: "invalidParameters",
  401: "tokenNotProvided",
  403: "forbiddenAccess",
  404: "notFound",
  409: "conflict",
  429: "tooManyRequests",
};

const BODYLESS = new Set([204, 205, 304]);

const statusFaultReply = (fault: Extract<Fault, { kind: "status" }>): Reply => {
  if (BODYLESS.has(fault.status))
    return { status: fault.status, headers: fault.headers ?? {}, body: "" };
  if (fault.body === undefined) {
    const code = STATUS_CODES[fault.status] ?? (fault.status >= 500 ? "internalError" : "error");
    const reply = miroError(fault.status, code, `Emulated fault: HTTP ${fault.status}`);
    return withDefaultHeaders({ ...reply, headers: fault.headers ?? {} }, reply.headers);
  }
  const looksJson = /^\s*[[{]/.test(fault.body);
  const contentType = looksJson ? "application/json;charset=UTF-8" : "text/plain;charset=UTF-8";
  const reply: Reply = { status: fault.status, headers: fault.headers ?? {}, body: fault.body };
  return withDefaultHeaders(reply, { "content-type": contentType });
};

/** The fixed reply a content fault answers with, or undefined for faults that are not fixed. */
export const fixedFaultReply = (fault: Fault): Reply | undefined => {
  const json = { "content-type": "application/json;charset=UTF-8" };
  switch (fault.kind) {
    case "status":
      return statusFaultReply(fault);
    case "malformed":
      return { status: 200, headers: json, body: '{"type":"oAuthToken","scopes":[boards:read' };
    case "html":
      return {
        status: 200,
        headers: { "content-type": "text/html;charset=UTF-8" },
        body: "<!DOCTYPE html><html><head><title>Miro</title></head><body><h1>Service temporarily unavailable</h1></body></html>",
      };
    case "empty":
      return { status: 200, headers: json, body: "" };
    default:
      return undefined;
  }
};

/** 200 with a content-length larger than the bytes sent, then the socket is destroyed. */
export const writeTruncated = (
  res: ServerResponse,
  headers: Readonly<Record<string, string>>,
): void => {
  const partial = '{"type":"oAuthToken","organization":{"type":"organization","name":"Emu';
  res.writeHead(200, {
    ...headers,
    "content-type": "application/json;charset=UTF-8",
    "content-length": String(partial.length + 512),
  });
  res.write(partial, () => res.destroy());
};

const CHUNK = 64 * 1024;

/** Resolves when the response can take more data or is gone, leaving no listeners behind. */
const drainedOrClosed = (res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });

/** 200 application/json with a body of exactly `bytes` bytes (a JSON document), streamed. */
export const writeOversized = async (
  res: ServerResponse,
  bytes: number,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<void> => {
  res.writeHead(200, {
    ...headers,
    "content-type": "application/json;charset=UTF-8",
    "content-length": String(bytes),
  });
  // A JSON string padded with "a"s; below 12 bytes a run of "1"s is still a JSON number.
  const [head, tail] = bytes >= 12 ? ['{"padding":"', '"}'] : ["", ""];
  const filler = bytes >= 12 ? "a" : "1";
  let left = bytes - head.length - tail.length;
  res.write(head);
  while (left > 0 && !res.destroyed && !signal.aborted) {
    const size = Math.min(CHUNK, left);
    left -= size;
    if (!res.write(filler.repeat(size))) await drainedOrClosed(res);
  }
  if (!res.destroyed) res.end(tail);
};

/** Sends the normal reply, but its body only `bytesPerTick` bytes every `intervalMs`. */
export const writeDrip = async (
  res: ServerResponse,
  reply: Reply,
  fault: Extract<Fault, { kind: "drip" }>,
  signal: AbortSignal,
): Promise<void> => {
  const body = writeHead(res, reply);
  const step = fault.bytesPerTick ?? 1;
  for (let offset = 0; offset < body.length; offset += step) {
    if (offset > 0) {
      try {
        await sleep(fault.intervalMs, undefined, { signal });
      } catch {
        res.destroy();
        return;
      }
    }
    if (res.destroyed) return;
    res.write(body.subarray(offset, offset + step));
  }
  res.end();
};
