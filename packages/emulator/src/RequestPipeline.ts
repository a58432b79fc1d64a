/**
 * What happens to one HTTP request: find its route, read its body (capped), log it masked, apply
 * the next scripted fault, charge the rate-limit bucket, let the route answer, and add the
 * `X-RateLimit-*` headers. Control API requests (`/__emulator/*`) bypass faults, rate limiting
 * and the log. Nothing here may throw into the server: failures become Miro-style 500s.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { EmulatorClock } from "./Clock.ts";
import { CONTROL_PREFIX } from "./ControlApi.ts";
import { fixedFaultReply, writeDrip, writeOversized, writeTruncated } from "./FaultResponses.ts";
import type { EmulatorRoute, FaultQueue } from "./Faults.ts";
import {
  methodNotAllowed,
  miroError,
  pathNotFound,
  payloadTooLarge,
  tooManyRequests,
} from "./MiroErrors.ts";
import type { RateLimiter } from "./RateLimiter.ts";
import { type Reply, sendReply, withDefaultHeaders } from "./Reply.ts";
import { describeRequest, type RequestLog } from "./RequestLog.ts";
import { authorizeRoute } from "./routes/Authorize.ts";
import { revokeV1Route, revokeV2Route } from "./routes/Revoke.ts";
import {
  ANONYMOUS_BUCKET,
  type IncomingCall,
  type PreparedRequest,
  type RouteContext,
  type RouteHandler,
} from "./routes/RouteContext.ts";
import { tokenRoute } from "./routes/TokenEndpoint.ts";
import { tokenInfoRoute } from "./routes/TokenInfo.ts";

/** Largest request body read; bigger ones get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

type MiroRoute = Exclude<EmulatorRoute, "any">;

const ROUTES: ReadonlyMap<string, { route: MiroRoute; handler: RouteHandler }> = new Map([
  ["/v1/oauth-token", { route: "token-info", handler: tokenInfoRoute }],
  ["/v1/oauth/revoke", { route: "revoke-v1", handler: revokeV1Route }],
  ["/v2/oauth/revoke", { route: "revoke-v2", handler: revokeV2Route }],
  ["/v1/oauth/token", { route: "token", handler: tokenRoute }],
  ["/oauth/authorize", { route: "authorize", handler: authorizeRoute }],
]);

/** Everything the pipeline needs from the emulator. */
export interface PipelineContext extends RouteContext {
  readonly clock: EmulatorClock;
  readonly limiter: RateLimiter;
  readonly faults: FaultQueue;
  readonly log: RequestLog;
  readonly retryAfterOn429: () => boolean;
  /** Aborted when the emulator closes: ends delays and drips. */
  readonly closing: AbortSignal;
  /** Answers a control API call. */
  readonly control: (call: IncomingCall) => Reply;
}

/** Reads the request body as UTF-8; undefined when it exceeds MAX_BODY_BYTES. */
const readBody = async (req: IncomingMessage): Promise<string | undefined> => {
  const chunks: Array<Buffer> = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
};

/** Handles one request end to end; never rejects. */
export const handleRequest = async (
  req: IncomingMessage,
  res: ServerResponse,
  context: PipelineContext,
): Promise<void> => {
  try {
    await dispatch(req, res, context);
  } catch (error) {
    if (res.headersSent) res.destroy();
    else sendReply(res, miroError(500, "internalError", `Emulator error: ${String(error)}`));
  }
};

const dispatch = async (
  req: IncomingMessage,
  res: ServerResponse,
  context: PipelineContext,
): Promise<void> => {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const method = req.method ?? "GET";
  const body = await readBody(req);
  if (body === undefined) {
    res.setHeader("connection", "close");
    sendReply(res, payloadTooLarge(MAX_BODY_BYTES));
    return;
  }
  const call: IncomingCall = { method, url, headers: req.headers, body };
  if (url.pathname.startsWith(CONTROL_PREFIX)) {
    sendReply(res, context.control(call));
    return;
  }
  const match = ROUTES.get(url.pathname);
  const secrets = [...context.registry.clientSecrets(), ...context.registry.pendingCodes()];
  const entry = describeRequest(
    req,
    url,
    body,
    match?.route ?? "unknown",
    context.clock.now(),
    secrets,
  );
  context.log.add(entry);
  res.once("finish", () => {
    entry.status = res.statusCode;
  });
  if (match === undefined) {
    sendReply(res, pathNotFound(method, url.pathname));
    return;
  }
  await answerMiroRoute(req, res, call, match.route, match.handler, context);
};

const answerMiroRoute = async (
  req: IncomingMessage,
  res: ServerResponse,
  call: IncomingCall,
  route: MiroRoute,
  handler: RouteHandler,
  context: PipelineContext,
): Promise<void> => {
  const fault = context.faults.take(route);
  if (fault?.kind === "delay") {
    try {
      await sleep(fault.ms, undefined, { signal: context.closing });
    } catch {
      res.destroy();
      return;
    }
  }
  if (fault?.kind === "reset") {
    req.socket.resetAndDestroy();
    return;
  }
  if (fault?.kind === "hang") return; // Left open until the client gives up or close() runs.
  const prepared: PreparedRequest =
    call.method === handler.method
      ? handler.prepare(call, context)
      : { bucket: ANONYMOUS_BUCKET, respond: () => methodNotAllowed(call.method, handler.method) };
  const charge = context.limiter.charge(prepared.bucket);
  if (fault?.kind === "lost") {
    // The request took effect (a refresh rotated, a revoke revoked); the answer never arrives.
    if (charge.allowed) prepared.respond();
    req.socket.resetAndDestroy();
    return;
  }
  const fixed = fault === undefined ? undefined : fixedFaultReply(fault);
  if (fixed !== undefined) return sendReply(res, withDefaultHeaders(fixed, charge.headers));
  if (fault?.kind === "truncated") return writeTruncated(res, charge.headers);
  if (fault?.kind === "oversized")
    return writeOversized(res, fault.bytes, charge.headers, context.closing);
  const retryAfter: Record<string, string> =
    context.retryAfterOn429() && !charge.allowed
      ? { "Retry-After": String(charge.retryAfterSeconds) }
      : {};
  const reply = withDefaultHeaders(charge.allowed ? prepared.respond() : tooManyRequests(), {
    ...charge.headers,
    ...retryAfter,
  });
  if (fault?.kind === "drip") return writeDrip(res, reply, fault, context.closing);
  sendReply(res, reply);
};
