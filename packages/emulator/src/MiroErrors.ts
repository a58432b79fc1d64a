/**
 * Miro's error body `{status, code, message, type: "error"}` (the spec's `ErrorResponse` /
 * `BasicError`) and the specific errors the emulator answers with. Codes Miro documents:
 * `oauthError` (token endpoint, 401), `tooManyRequests` (429), `tokenNotProvided` (401),
 * `invalidParameters` (400), `notFound` (404). Codes that are emulator choices because Miro
 * documents none: `tokenInvalid`, `tokenExpired`, `invalidGrant`, `methodNotAllowed` and
 * `payloadTooLarge`.
 */
import { jsonReply, type Reply } from "./Reply.ts";

/** Miro's JSON error body. */
export interface MiroErrorBody {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly type: "error";
}

/** A reply carrying Miro's error body. */
export const miroError = (status: number, code: string, message: string): Reply => {
  const body: MiroErrorBody = { status, code, message, type: "error" };
  return jsonReply(status, body);
};

/** 400 `invalidParameters`: missing, malformed or unsupported request parameters. */
export const invalidParameters = (message: string): Reply =>
  miroError(400, "invalidParameters", message);

/** 401 `oauthError` "Invalid client credentials.": unknown client id or wrong secret. */
export const invalidClientCredentials = (): Reply =>
  miroError(401, "oauthError", "Invalid client credentials.");

/** 401 `oauthError` "Redirect URI mismatch." as documented in Miro's OAuth troubleshooting page. */
export const redirectUriMismatch = (): Reply =>
  miroError(401, "oauthError", "Redirect URI mismatch.");

/** 400 `invalidGrant`: unknown, used, expired or foreign authorization code or refresh token. */
export const invalidGrant = (message: string): Reply => miroError(400, "invalidGrant", message);

/** 429 `tooManyRequests` with Miro's documented message. */
export const tooManyRequests = (): Reply =>
  miroError(429, "tooManyRequests", "Request rate limit exceed");

/** 404 `notFound` for a path the emulator does not serve. */
export const pathNotFound = (method: string, path: string): Reply =>
  miroError(404, "notFound", `No route for ${method} ${path}`);

/** 405 `methodNotAllowed` with an `Allow` header naming the one method the route accepts. */
export const methodNotAllowed = (method: string, allowed: string): Reply => {
  const reply = miroError(
    405,
    "methodNotAllowed",
    `Method ${method} is not allowed, use ${allowed}`,
  );
  return { ...reply, headers: { ...reply.headers, allow: allowed } };
};

/** 413 `payloadTooLarge` for request bodies above the emulator's limit. */
export const payloadTooLarge = (limit: number): Reply =>
  miroError(413, "payloadTooLarge", `Request body exceeds ${limit} bytes`);
