/**
 * Rejects a request that no HTTP client could send — a URL that does not parse, a header
 * name that is not a token, a header value with a control character — before any client
 * sees it. The clients' own errors for these cases quote the offending value (`Headers.append:
 * "Bearer <token>\0" is an invalid header value`, `Failed to parse URL from <url>`), so they
 * must never be produced; and checking here makes every adapter reject the same requests.
 *
 * @since 0.1.0
 */
import type { TransportRequest } from "../HttpTransport.ts";

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 field-value characters: tab, visible ASCII, space and obs-text (0x80-0xFF). */
const INVALID_HEADER_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * URLs already found sendable. A client sends to a handful of endpoints, so remembering them
 * spares parsing the same URL on every request; the set is emptied if it ever grows large.
 * A URL with a query is never kept: the opted-in v1 revoke carries a token there.
 */
const sendableUrls = new Set<string>();
const MAX_REMEMBERED_URLS = 256;

const isSendableUrl = (text: string): boolean => {
  if (sendableUrls.has(text)) return true;
  const url = URL.parse(text);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
  if (text.includes("?")) return true;
  if (sendableUrls.size >= MAX_REMEMBERED_URLS) sendableUrls.clear();
  sendableUrls.add(text);
  return true;
};

/**
 * The reason code for a request that cannot be sent (`INVALID_URL`, `INVALID_HEADER_NAME`,
 * `INVALID_HEADER_VALUE`, `GET_WITH_BODY`), or `undefined` when it can. The code never
 * includes any part of the request.
 *
 * @category validation
 * @since 0.1.0
 */
export const invalidRequestReason = (request: TransportRequest): string | undefined => {
  if (!isSendableUrl(request.url)) return "INVALID_URL";
  const { headers } = request;
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    if (!HEADER_NAME.test(name)) return "INVALID_HEADER_NAME";
    if (INVALID_HEADER_VALUE_CHAR.test(headers[name]!)) return "INVALID_HEADER_VALUE";
  }
  if (request.method === "GET" && request.body !== undefined) return "GET_WITH_BODY";
  return undefined;
};
