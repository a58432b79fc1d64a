/**
 * `GET /oauth/authorize`: the start of Miro's authorization-code flow, auto-approved (there is
 * no consent screen). It checks `client_id` and `redirect_uri` (a registered URI, exactly; or,
 * for a client registered without any, any http loopback URI) and redirects with a single-use
 * `code` valid 10 minutes on the emulator clock plus the caller's `state`. A bad client or
 * redirect URI answers 400 with Miro's error body and never redirects. A wrong
 * `response_type` is redirected back as `error=unsupported_response_type` (RFC 6749 §4.1.2.1).
 */

import { isDigitId } from "../Identifiers.ts";
import { invalidParameters } from "../MiroErrors.ts";
import { emptyReply, type Reply } from "../Reply.ts";
import { type ClientRecord, DEFAULT_SCOPES } from "../TokenRegistry.ts";
import { clientBucket, type RouteHandler } from "./RouteContext.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** True when `client` accepts `redirectUri`. */
export const acceptsRedirect = (client: ClientRecord, redirectUri: string): boolean => {
  if (client.redirectUris.length > 0) return client.redirectUris.includes(redirectUri);
  if (!URL.canParse(redirectUri)) return false;
  const url = new URL(redirectUri);
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
};

/** The redirect reply: `target` plus the given query parameters. */
const redirectTo = (target: string, params: Readonly<Record<string, string>>): Reply => {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return emptyReply(302, { location: url.href, "cache-control": "no-store" });
};

/** The `authorize` route. */
export const authorizeRoute: RouteHandler = {
  method: "GET",
  prepare: (call, { registry }) => {
    const query = call.url.searchParams;
    const clientId = query.get("client_id") ?? "";
    return {
      bucket: clientBucket(registry, clientId),
      respond: (): Reply => {
        const client = registry.client(clientId);
        if (client === undefined) return invalidParameters("Unknown or missing client_id");
        const redirectUri = query.get("redirect_uri") ?? "";
        if (!acceptsRedirect(client, redirectUri)) {
          return invalidParameters("redirect_uri is missing or not registered for this app");
        }
        const state = query.has("state") ? { state: query.get("state") ?? "" } : {};
        if (query.get("response_type") !== "code") {
          return redirectTo(redirectUri, { error: "unsupported_response_type", ...state });
        }
        const teamId = query.get("team_id") ?? "";
        const scope = query
          .get("scope")
          ?.split(/[\s+]+/)
          .filter((item) => item !== "");
        const code = registry.issueCode({
          clientId,
          redirectUri,
          userId: registry.defaultUserId,
          teamId: isDigitId(teamId) ? teamId : registry.defaultTeamId,
          scopes: scope !== undefined && scope.length > 0 ? scope : DEFAULT_SCOPES,
        });
        return redirectTo(redirectUri, { code, ...state });
      },
    };
  },
};
