/**
 * Token revocation, both versions. `POST /v1/oauth/revoke?access_token=` (deprecated by Miro;
 * 204, or 400 "Failed to revoke token" with no body; the `v1RevokeToken` variant also takes the
 * token from a form field or a Bearer header, `v1RevokeFailure` adds an error body; can be
 * switched to "gone", answering 404 to everything) and `POST /v2/oauth/revoke` with a JSON body
 * `{accessToken, clientId, clientSecret}` (204, or 404 `ErrorResponse` "Failed to revoke token";
 * the `v2RevokeFailure` variant answers a bad body 400 and bad client credentials 401 instead).
 * Revoking kills the refresh token too. An expired access token can still be revoked (it ends
 * its refresh token); revoked, rotated and unknown tokens cannot.
 */
import {
  bareError,
  invalidClientCredentials,
  invalidParameters,
  miroError,
} from "../MiroErrors.ts";
import { emptyReply, type Reply } from "../Reply.ts";
import type { TokenRegistry } from "../TokenRegistry.ts";
import {
  accessTokenBucket,
  clientBucket,
  type IncomingCall,
  mediaType,
  parseJson,
  type RouteHandler,
} from "./RouteContext.ts";
import { presentedAccessToken } from "./TokenInfo.ts";

/** The JSON body of `POST /v2/oauth/revoke` (Miro's `RevokeTokenRequest`). */
export interface RevokeTokenRequest {
  readonly accessToken: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

const FAILED = "Failed to revoke token";

/** Revokes the token if it can be revoked (optionally only for `clientId`); true on success. */
const revokeIfLive = (registry: TokenRegistry, token: string, clientId?: string): boolean => {
  const set = registry.findByAccessToken(token);
  const state = registry.accessTokenState(token);
  if (set === undefined || (state !== "active" && state !== "expired")) return false;
  if (clientId !== undefined && set.clientId !== clientId) return false;
  registry.revoke(set);
  return true;
};

/**
 * The token a v1 revoke names: the `access_token` query parameter (the only place Miro's spec
 * documents). Under the `lenient` variant also an `access_token` form field, else the Bearer
 * header (Miro's own client sends the Bearer header beside the query; nothing says Miro reads it).
 */
const v1RevokeToken = (call: IncomingCall, lenient: boolean): string | undefined => {
  const fromQuery = call.url.searchParams.get("access_token");
  if (fromQuery !== null && fromQuery !== "") return fromQuery;
  if (!lenient) return undefined;
  const fromForm =
    mediaType(call.headers) === "application/x-www-form-urlencoded"
      ? new URLSearchParams(call.body).get("access_token")
      : null;
  if (fromForm !== null && fromForm !== "") return fromForm;
  return presentedAccessToken(call);
};

/** The `revoke-v1` route. */
export const revokeV1Route: RouteHandler = {
  method: "POST",
  prepare: (call, { registry, settings }) => {
    const token = v1RevokeToken(call, settings.variants.v1RevokeToken === "lenient") ?? "";
    return {
      bucket: accessTokenBucket(registry, token === "" ? undefined : token),
      respond: (): Reply => {
        if (settings.v1Revoke === "gone") {
          return miroError(
            404,
            "notFound",
            "POST /v1/oauth/revoke has been retired; use POST /v2/oauth/revoke",
          );
        }
        if (revokeIfLive(registry, token)) return emptyReply(204);
        return settings.variants.v1RevokeFailure === "400-body"
          ? token === ""
            ? invalidParameters("Query parameter access_token is required")
            : miroError(400, "tokenInvalid", FAILED)
          : bareError(400);
      },
    };
  },
};

/** Validates the v2 body: the request or an error reply. */
const parseRevokeRequest = (contentType: string, body: string): RevokeTokenRequest | Reply => {
  if (contentType !== "application/json") {
    return invalidParameters("Content-Type must be application/json");
  }
  const json = parseJson(body);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return invalidParameters("Request body must be a JSON object");
  }
  const fields = json as Record<string, unknown>;
  const missing = ["accessToken", "clientId", "clientSecret"].filter(
    (name) => typeof fields[name] !== "string" || fields[name] === "",
  );
  if (missing.length > 0)
    return invalidParameters(`Missing or invalid fields: ${missing.join(", ")}`);
  return fields as unknown as RevokeTokenRequest;
};

/** The `revoke-v2` route. */
export const revokeV2Route: RouteHandler = {
  method: "POST",
  prepare: (call, { registry, settings }) => {
    const documented = settings.variants.v2RevokeFailure === "404";
    const parsed = parseRevokeRequest(mediaType(call.headers), call.body);
    if ("status" in parsed) {
      const reply = documented ? miroError(404, "notFound", FAILED) : parsed;
      return { bucket: clientBucket(registry, undefined), respond: () => reply };
    }
    const set = registry.findByAccessToken(parsed.accessToken);
    const bucket =
      set !== undefined && set.clientId === parsed.clientId
        ? accessTokenBucket(registry, parsed.accessToken)
        : clientBucket(registry, parsed.clientId);
    return {
      bucket,
      respond: (): Reply => {
        if (registry.authenticate(parsed.clientId, parsed.clientSecret) === undefined) {
          return documented ? miroError(404, "notFound", FAILED) : invalidClientCredentials();
        }
        return revokeIfLive(registry, parsed.accessToken, parsed.clientId)
          ? emptyReply(204)
          : miroError(404, "notFound", FAILED);
      },
    };
  },
};
