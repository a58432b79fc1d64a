/**
 * Miro's error body `{status, code, message, type: "error"}` (the spec's `ErrorResponse` /
 * `BasicError`) and the specific errors the emulator answers with. Codes Miro documents:
 * `oauthError` (token endpoint, 401), `tooManyRequests` (429, with `context: null`),
 * `tokenNotProvided` (401), `invalidParameters` (400), `notFound` (404). Codes that are
 * emulator choices, used only by the variants that say so (Variants.ts): `tokenInvalid`,
 * `tokenExpired`, `invalidGrant`, `invalid_grant`; and `methodNotAllowed` and `payloadTooLarge`.
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

/** 429 `tooManyRequests`: the exact body of Miro's rate-limit page, `context: null` included. */
export const tooManyRequests = (): Reply =>
  jsonReply(429, {
    status: 429,
    code: "tooManyRequests",
    message: "Request rate limit exceed",
    context: null,
    type: "error",
  });

/** A reply with a status and no body (the spec gives several errors no body schema). */
export const bareError = (status: number): Reply => ({ status, headers: {}, body: "" });

/** Miro's error body without a `code` (a shape the spec's `Error` schema allows). */
export const codelessError = (status: number, message: string): Reply =>
  jsonReply(status, { status, message, type: "error" });

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
