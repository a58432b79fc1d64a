/**
 * `POST /v1/oauth/token`: the authorization-code exchange and the refresh grant. Parameters are
 * read from the query string and from an `application/x-www-form-urlencoded` body (the body wins
 * for a name present in both), as Miro's docs show both placements. A refresh rotates: the old
 * access and refresh tokens die ("rotated", the old access token after 60 s under the
 * `rotationGrace` variant) and a new pair is issued. The 200 body writes `team_id` as a bare JSON
 * number, like Miro's docs example, although it exceeds 2^53. Miro documents one failure, 401
 * `oauthError`; by default every failure answers so, and the `tokenFailure` variant answers a
 * dead grant or bad parameters 400 `invalidGrant` / `invalid_grant` / `invalidParameters`.
 */
import { invalidClientCredentials, miroError, redirectUriMismatch } from "../MiroErrors.ts";
import { jsonReply, type Reply } from "../Reply.ts";
import type { ClientRecord, TokenRegistry, TokenSet } from "../TokenRegistry.ts";
import type { Variants } from "../Variants.ts";
import {
  clientBucket,
  type IncomingCall,
  mediaType,
  type RouteHandler,
  userBucket,
} from "./RouteContext.ts";

/** The 200 body of `POST /v1/oauth/token`; `team_id` is sent as a bare number > 2^53. */
export interface TokenResponse {
  readonly user_id: string;
  /** A bare JSON number on the wire: parse big-int safely (JSON.parse loses digits). */
  readonly team_id: number | string;
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly scope: string;
  readonly expires_in?: number;
  readonly token_type: "bearer";
}

/** The exact response text for a token set, `team_id` written as a bare number. */
export const tokenResponseText = (set: TokenSet): string => {
  const fields = [
    `"user_id":${JSON.stringify(set.userId)}`,
    `"team_id":${/^[0-9]+$/.test(set.teamId) ? set.teamId : JSON.stringify(set.teamId)}`,
    `"access_token":${JSON.stringify(set.accessToken)}`,
  ];
  if (set.refreshToken !== undefined)
    fields.push(`"refresh_token":${JSON.stringify(set.refreshToken)}`);
  fields.push(`"scope":${JSON.stringify(set.scopes.join(" "))}`);
  if (set.accessTtlSeconds !== undefined)
    fields.push(`"expires_in":${expiresIn(set.accessTtlSeconds)}`);
  fields.push(`"token_type":"bearer"`);
  return `{${fields.join(",")}}`;
};

/** `expires_in` for a lifetime: one second less, as Miro answers 3599 for one hour. */
export const expiresIn = (ttlSeconds: number): number => Math.max(0, ttlSeconds - 1);

const REQUIRED: Readonly<Record<string, ReadonlyArray<string>>> = {
  authorization_code: ["client_id", "client_secret", "code", "redirect_uri"],
  refresh_token: ["client_id", "client_secret", "refresh_token"],
};

type Variant = Variants["tokenFailure"];

/** A rejected grant (unknown, used, expired, foreign code or refresh token) under `variant`. */
const invalidGrant = (variant: Variant, message: string): Reply =>
  variant === "401"
    ? miroError(401, "oauthError", message)
    : miroError(400, variant === "400-invalid_grant" ? "invalid_grant" : "invalidGrant", message);

/** Missing or unsupported parameters under `variant`. */
const invalidParameters = (variant: Variant, message: string): Reply =>
  variant === "401"
    ? miroError(401, "oauthError", message)
    : miroError(400, "invalidParameters", message);

/** Query parameters overlaid with form-body parameters, or an error reply. */
const tokenParams = (call: IncomingCall, variant: Variant): Map<string, string> | Reply => {
  const params = new Map(call.url.searchParams);
  if (call.body.trim() === "") return params;
  if (mediaType(call.headers) !== "application/x-www-form-urlencoded") {
    return invalidParameters(variant, "Request body must be application/x-www-form-urlencoded");
  }
  for (const [name, value] of new URLSearchParams(call.body)) params.set(name, value);
  return params;
};

const issued = (set: TokenSet): Reply => jsonReply(200, undefined, tokenResponseText(set));

const exchangeCode = (
  registry: TokenRegistry,
  client: ClientRecord,
  params: Map<string, string>,
  variant: Variant,
): Reply => {
  const grant = registry.redeemCode(params.get("code") ?? "");
  if (grant === undefined || grant.clientId !== client.clientId) {
    return invalidGrant(variant, "Authorization code is invalid, expired or already used");
  }
  if (grant.redirectUri !== params.get("redirect_uri")) return redirectUriMismatch();
  return issued(
    registry.issue({
      clientId: client.clientId,
      expiring: client.expiringTokens,
      scopes: grant.scopes,
      userId: grant.userId,
      teamId: grant.teamId,
    }),
  );
};

const refresh = (
  registry: TokenRegistry,
  client: ClientRecord,
  token: string,
  variant: Variant,
): Reply => {
  const set = registry.findByRefreshToken(token);
  if (
    set === undefined ||
    set.clientId !== client.clientId ||
    registry.refreshTokenState(token) !== "active"
  ) {
    return invalidGrant(variant, "Refresh token is invalid, expired or already used");
  }
  return issued(registry.rotate(set));
};

/** The `token` route. */
export const tokenRoute: RouteHandler = {
  method: "POST",
  prepare: (call, { registry, settings }) => {
    const variant = settings.variants.tokenFailure;
    const params = tokenParams(call, variant);
    if (!(params instanceof Map))
      return { bucket: clientBucket(registry, undefined), respond: () => params };
    const refreshSet = registry.findByRefreshToken(params.get("refresh_token") ?? "");
    const bucket =
      refreshSet !== undefined && refreshSet.clientId === params.get("client_id")
        ? userBucket(refreshSet)
        : clientBucket(registry, params.get("client_id"));
    return {
      bucket,
      respond: (): Reply => {
        const grantType = params.get("grant_type") ?? "";
        const required = REQUIRED[grantType];
        if (required === undefined) {
          return invalidParameters(
            variant,
            grantType === ""
              ? "Parameter grant_type is required"
              : `Unsupported grant_type: ${grantType}`,
          );
        }
        const missing = required.filter((name) => (params.get(name) ?? "") === "");
        if (missing.length > 0)
          return invalidParameters(variant, `Missing parameters: ${missing.join(", ")}`);
        const client = registry.authenticate(
          params.get("client_id") ?? "",
          params.get("client_secret") ?? "",
        );
        if (client === undefined) return invalidClientCredentials();
        return grantType === "refresh_token"
          ? refresh(registry, client, params.get("refresh_token") ?? "", variant)
          : exchangeCode(registry, client, params, variant);
      },
    };
  },
};
