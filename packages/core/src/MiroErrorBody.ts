/**
 * Miro's error body, `{status, code, message, type: "error"}` (spec `ErrorResponse`), read
 * tolerantly: every field is optional and a body that is not such an object is simply absent.
 *
 * Only the `code` is ever copied into our errors, and only when it is one of Miro's known codes:
 * a hostile or buggy server could put anything (a token) in `message` or `code`.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect";
import { parseJson } from "./JsonText.ts";

/**
 * @category schemas
 * @since 0.1.0
 */
export const MiroErrorBody = Schema.Struct({
  status: Schema.optionalKey(Schema.Number),
  code: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  type: Schema.optionalKey(Schema.String),
});

/**
 * @category models
 * @since 0.1.0
 */
export type MiroErrorBody = typeof MiroErrorBody.Type;

/**
 * The error codes Miro (and RFC 6749) are known to send on token endpoints. Anything else is
 * reported as `"unrecognized"` so server-controlled text never reaches a message.
 *
 * @category constants
 * @since 0.1.0
 */
export const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([
  "tokenInvalid",
  "tokenExpired",
  "tokenNotProvided",
  "tokenRevoked",
  "invalidGrant",
  "invalid_grant",
  "invalidParameters",
  "invalid_request",
  "invalidClient",
  "invalid_client",
  "unauthorized_client",
  "oauthError",
  "tooManyRequests",
  "forbiddenAccess",
  "notFound",
  "conflict",
  "internalError",
  "serviceUnavailable",
]);

const decodeBody = Schema.decodeUnknownResult(MiroErrorBody);

/**
 * Read a Miro error body from response text; `undefined` when it is not one.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseMiroErrorBody = (text: string): MiroErrorBody | undefined => {
  const json = parseJson(text);
  if (Result.isFailure(json)) return undefined;
  const body = decodeBody(json.success);
  return Result.isSuccess(body) ? body.success : undefined;
};

/**
 * The error code of a response body, safe to show: a known code, `"unrecognized"` for any
 * other code, `undefined` when there is none.
 *
 * @category parsing
 * @since 0.1.0
 */
export const safeErrorCode = (text: string): string | undefined => {
  const code = parseMiroErrorBody(text)?.code;
  if (code === undefined) return undefined;
  return KNOWN_ERROR_CODES.has(code) ? code : "unrecognized";
};
