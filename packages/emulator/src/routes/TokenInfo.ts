/**
 * `GET /v1/oauth-token`: information about an access token (Miro's `TokenInformation`). The
 * token comes from `Authorization: Bearer` or, as Miro also allows, the `access_token` query
 * parameter. Unknown, revoked or rotated tokens get 400 `tokenInvalid`, expired ones 400
 * `tokenExpired` (both codes are emulator choices: the spec documents a bodiless 400), and a
 * request with no token 401 `tokenNotProvided` (the default code of the spec's Error401).
 */

import { miroError } from "../MiroErrors.ts";
import { jsonReply } from "../Reply.ts";
import type { TokenSet } from "../TokenRegistry.ts";
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

/** The `token-info` route. */
export const tokenInfoRoute: RouteHandler = {
  method: "GET",
  prepare: (call, { registry }) => {
    const token = presentedAccessToken(call);
    return {
      bucket: accessTokenBucket(registry, token),
      respond: () => {
        if (token === undefined)
          return miroError(401, "tokenNotProvided", "No access token provided");
        const set = registry.findByAccessToken(token);
        const state = registry.accessTokenState(token);
        if (set !== undefined && state === "active") return jsonReply(200, tokenInformation(set));
        return state === "expired"
          ? miroError(400, "tokenExpired", "Access token has expired")
          : miroError(400, "tokenInvalid", "Invalid token provided");
      },
    };
  },
};
