/**
 * The plain-HTTP rule for webhook URLs: events name tokens and users, so they travel over TLS.
 * `https:` anywhere; `http:` only to a loopback host; never credentials in the URL. Checked by
 * parsing alone, before any DNS lookup or connection, and no message quotes the URL.
 *
 * Interim: the hardening work (branch `net`) adds this rule to core as one module
 * (`BaseUrl.ts`, `checkBaseUrl`); at merge this function is replaced by a call to it.
 *
 * @since 0.1.0
 */

/**
 * The URL as it may be shown (`/tokens`, logs): origin and path, no query (which may carry a
 * receiver's key).
 *
 * @category formatting
 * @since 0.1.0
 */
export const displayUrl = (url: URL): string => `${url.origin}${url.pathname}`;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Check a webhook URL: the parsed URL, or the problem in words.
 *
 * @category parsing
 * @since 0.1.0
 */
export const checkWebhookUrl = (
  text: string,
): { readonly url: URL } | { readonly problem: string } => {
  if (!URL.canParse(text)) return { problem: "is not a URL" };
  const url = new URL(text);
  if (url.username !== "" || url.password !== "") {
    return { problem: "must not carry credentials" };
  }
  if (url.protocol === "https:") return { url };
  if (url.protocol === "http:" && LOOPBACK.test(url.hostname)) return { url };
  return url.protocol === "http:"
    ? { problem: "must use https (plain http only to a loopback host)" }
    : { problem: "must be an https URL" };
};
