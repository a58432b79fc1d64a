/**
 * `GET /v1/oauth-token`: information about an access token (Miro's `TokenInformation`). The
 * token comes from `Authorization: Bearer` or, as Miro also allows, the `access_token` query
 * parameter. The spec documents one failure, a 400 "Invalid token provided" with no body; how
 * the emulator rejects a missing, unknown, revoked, rotated or expired token is the
 * `tokenInfoFailure` variant (400 or 401; no body, the emulator's own codes `tokenInvalid` /
 * `tokenExpired` / `tokenNotProvided`, a code nobody knows, or a body without a code).
 */

import { bareError, codelessError, miroError } from "../MiroErrors.ts";
import { jsonReply, type Reply } from "../Reply.ts";
import type { TokenSet, TokenState } from "../TokenRegistry.ts";
import type { Variants } from "../Variants.ts";
import { accessTokenBucket, type IncomingCall, type RouteHandler } from "./RouteContext.ts";

/** Miro's `OrganizationInformation`. */
export interface OrganizationInformation {
  readonly type: string;
  readonly name: string;
  readonly id: string;
}
/** Miro's `TeamInformation`. */
export interface TeamInformation {
  readonly type: string;
  readonly name: string;
  readonly id: string;
}
/** Miro's `UserInformation`. */
export interface UserInformation {
  readonly type: string;
  readonly name: string;
  readonly id: string;
}
/** Miro's `TokenInformation` (200 body of `GET /v1/oauth-token`); ids are strings. */
export interface TokenInformation {
  readonly type: string;
  readonly organization: OrganizationInformation;
  readonly team: TeamInformation;
  readonly createdBy: UserInformation;
  readonly user: UserInformation;
  readonly scopes?: ReadonlyArray<string>;
}

/** The access token of a request: the Bearer header first, then the `access_token` query. */
export const presentedAccessToken = (call: IncomingCall): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(call.headers.authorization ?? "");
  const token = match?.[1] ?? call.url.searchParams.get("access_token") ?? "";
  return token === "" ? undefined : token;
};

/** The TokenInformation the emulator reports for a token set. */
export const tokenInformation = (set: TokenSet): TokenInformation => {
  const user: UserInformation = { type: "user", name: "Emulated User", id: set.userId };
  return {
    type: "oAuthToken",
    organization: { type: "organization", name: "Emulated Organization", id: set.organizationId },
    team: { type: "team", name: "Emulated Team", id: set.teamId },
    createdBy: user,
    user,
    scopes: [...set.scopes],
  };
};

/** A code no client can know, for the `*-unknown-code` variants. */
export const UNKNOWN_TOKEN_CODE = "tokenStale";

/** The rejection of a token in `state` (undefined: no token sent) under `variant`. */
export const tokenInfoFailure = (
  variant: Variants["tokenInfoFailure"],
  state: TokenState | undefined,
): Reply => {
  const [statusText, body] = variant.split(/-(.*)/s) as [string, string];
  const status = Number(statusText);
  const message = "Invalid token provided";
  switch (body) {
    case "bare":
      return bareError(status);
    case "no-code":
      return codelessError(status, message);
    case "unknown-code":
      return miroError(status, UNKNOWN_TOKEN_CODE, message);
    default:
      // No token at all: 401 `tokenNotProvided`, the spec's Error401 default code.
      if (state === undefined) return miroError(401, "tokenNotProvided", "No token provided");
      return state === "expired"
        ? miroError(status, "tokenExpired", "Access token has expired")
        : miroError(status, "tokenInvalid", message);
  }
};

/** The `token-info` route. */
export const tokenInfoRoute: RouteHandler = {
  method: "GET",
  prepare: (call, { registry, settings }) => {
    const token = presentedAccessToken(call);
    return {
      bucket: accessTokenBucket(registry, token),
      respond: () => {
        const variant = settings.variants.tokenInfoFailure;
        if (token === undefined) return tokenInfoFailure(variant, undefined);
        const set = registry.findByAccessToken(token);
        const state = registry.accessTokenState(token);
        if (set !== undefined && state === "active") return jsonReply(200, tokenInformation(set));
        return tokenInfoFailure(variant, state);
      },
    };
  },
};
