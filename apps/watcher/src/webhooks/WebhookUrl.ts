/**
 * Webhook URLs follow core's one plain-HTTP rule (`checkBaseUrl`, `BaseUrl.ts`): events name
 * tokens and users, so they travel over TLS — `https:` anywhere, `http:` only to a loopback
 * host, never credentials, no query or fragment. Checked by parsing alone, before any DNS
 * lookup or connection; no message quotes the URL. Here only what webhooks add: the URL kept
 * exactly as given (core's form drops a trailing slash), and its display form.
 *
 * @since 0.1.0
 */
import { checkBaseUrl } from "@miro-token/core";
import { Result } from "effect";

/**
 * The URL as it may be shown (`/tokens`, logs): origin and path.
 *
 * @category formatting
 * @since 0.1.0
 */
export const displayUrl = (url: URL): string => `${url.origin}${url.pathname}`;

/**
 * Check a webhook URL by core's rule: the parsed URL, or the problem in words.
 *
 * @category parsing
 * @since 0.1.0
 */
export const checkWebhookUrl = (
  text: string,
): { readonly url: URL } | { readonly problem: string } => {
  const checked = checkBaseUrl(text);
  return Result.isFailure(checked) ? { problem: checked.failure.reason } : { url: new URL(text) };
};
