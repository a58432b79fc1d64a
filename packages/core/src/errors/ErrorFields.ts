/**
 * What every core error shares: the request it is about (method and origin+path, never the
 * query), the number of HTTP attempts made, and the `Tag: description (METHOD endpoint)`
 * message format. Internal to the error modules.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";

/**
 * Fields of an error about a request that was sent.
 *
 * @category fields
 * @since 0.1.0
 */
export const request = {
  /** HTTP method of the request that failed. */
  method: Schema.String,
  /** Origin and path of the request, never the query. */
  endpoint: Schema.String,
  /** HTTP attempts made. */
  attempts: Schema.Number,
};

/**
 * Fields of an error that may come before any request.
 *
 * @category fields
 * @since 0.1.0
 */
export const optionalRequest = {
  method: Schema.optionalKey(Schema.String),
  endpoint: Schema.optionalKey(Schema.String),
  attempts: Schema.Number,
};

/**
 * ` (METHOD endpoint)`, or nothing when the error is not about a request.
 *
 * @category formatting
 * @since 0.1.0
 */
export const where = (e: { readonly method?: string; readonly endpoint?: string }): string =>
  e.method !== undefined && e.endpoint !== undefined ? ` (${e.method} ${e.endpoint})` : "";

/**
 * `HTTP 400` or `HTTP 400, code tokenExpired`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const httpDetail = (e: { readonly status?: number; readonly code?: string }): string =>
  e.code === undefined ? `HTTP ${e.status}` : `HTTP ${e.status}, code ${e.code}`;

/**
 * Which grant a token-endpoint call used.
 *
 * @category models
 * @since 0.1.0
 */
export const GrantType = Schema.Literals(["refresh_token", "authorization_code"]);

/**
 * @category models
 * @since 0.1.0
 */
export type GrantType = typeof GrantType.Type;
