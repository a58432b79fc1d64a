/**
 * The contract between the request pipeline and the Miro route handlers. A handler looks at a
 * fully read request and returns a PreparedRequest: which rate-limit bucket to charge, and a
 * `respond` function that performs the effect (revoke, rotate ...) only if the pipeline lets the
 * request through (no fault, bucket not empty).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorClock } from "../Clock.ts";
import type { Reply } from "../Reply.ts";
import type { TokenRegistry, TokenSet } from "../TokenRegistry.ts";
import type { Variants } from "../Variants.ts";

/** A request as route handlers see it: everything already read. */
export interface IncomingCall {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Settings route handlers read on every request (so `configure` takes effect at once). */
export interface RouteSettings {
  v1Revoke: "available" | "gone";
  /** The answers chosen where Miro's contract is silent (see Variants.ts). */
  variants: Variants;
}

/** What route handlers may use. */
export interface RouteContext {
  readonly registry: TokenRegistry;
  readonly clock: EmulatorClock;
  readonly settings: RouteSettings;
}

/** A request ready to be answered. */
export interface PreparedRequest {
  /** The rate-limit bucket this request is charged to. */
  readonly bucket: string;
  /** Produces the reply, applying its side effects; called at most once. */
  readonly respond: () => Reply;
}

/** A Miro route: the one HTTP method it serves and its handler. */
export interface RouteHandler {
  readonly method: "GET" | "POST";
  readonly prepare: (call: IncomingCall, context: RouteContext) => PreparedRequest;
}

/** The bucket of requests that identify neither a valid token nor a registered client. */
export const ANONYMOUS_BUCKET = "anonymous";

/** The per-user-per-app bucket of a token set. */
export const userBucket = (set: TokenSet): string => `user:${set.clientId}:${set.userId}`;

/** The bucket of a client id: its own if registered, otherwise the anonymous one. */
export const clientBucket = (registry: TokenRegistry, clientId: string | undefined): string =>
  clientId !== undefined && registry.client(clientId) !== undefined
    ? `client:${clientId}`
    : ANONYMOUS_BUCKET;

/** The bucket for a request identified by an access token: the user's if the token is valid. */
export const accessTokenBucket = (registry: TokenRegistry, token: string | undefined): string => {
  const set = token === undefined ? undefined : registry.findByAccessToken(token);
  if (set === undefined || token === undefined) return ANONYMOUS_BUCKET;
  return registry.accessTokenState(token) === "active"
    ? userBucket(set)
    : clientBucket(registry, set.clientId);
};

/** Parses a request body as JSON, or undefined when it is not JSON. */
export const parseJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

/** The media type of a request (lower case, parameters dropped), or "" when absent. */
export const mediaType = (headers: IncomingHttpHeaders): string =>
  (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
