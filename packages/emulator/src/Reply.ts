/**
 * A response the emulator has decided on but not yet written: status, headers and a body text.
 * Route handlers return Replies; the request pipeline adds rate-limit headers and writes them,
 * normally or slowly (the `drip` fault).
 */
import type { ServerResponse } from "node:http";

/** A response waiting to be written. `body` is the exact text sent (no re-serialisation). */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A JSON reply; `bodyText` is sent verbatim when given (for bodies JSON.stringify can't write). */
export const jsonReply = (status: number, value: unknown, bodyText?: string): Reply => ({
  status,
  headers: { "content-type": "application/json;charset=UTF-8" },
  body: bodyText ?? JSON.stringify(value),
});

/** A reply with no body (204, 302 ...). */
export const emptyReply = (status: number, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: "",
});

/** Adds headers that the reply does not already set itself (names compared case-insensitively). */
export const withDefaultHeaders = (
  reply: Reply,
  defaults: Readonly<Record<string, string>>,
): Reply => {
  const own = new Set(Object.keys(reply.headers).map((name) => name.toLowerCase()));
  const added = Object.entries(defaults).filter(([name]) => !own.has(name.toLowerCase()));
  return { ...reply, headers: { ...Object.fromEntries(added), ...reply.headers } };
};

/** Writes the status line and headers (with an exact content-length) without the body. */
export const writeHead = (res: ServerResponse, reply: Reply): Buffer => {
  const body = Buffer.from(reply.body, "utf8");
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(body.length) });
  return body;
};

/** Writes a whole reply at once. */
export const sendReply = (res: ServerResponse, reply: Reply): void => {
  const body = writeHead(res, reply);
  res.end(body);
};
