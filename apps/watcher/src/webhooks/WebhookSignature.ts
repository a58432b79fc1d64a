/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the sender signs
 * `${webhook-id}.${webhook-timestamp}.${body}` with HMAC-SHA256 under the secret's bytes and
 * sends `webhook-signature: v1,<base64>`. The secret is `whsec_<base64>`, as the spec and its
 * libraries (`standardwebhooks` on npm) write it.
 *
 * Signed with `node:crypto` directly rather than with the `standardwebhooks` package: signing
 * is one HMAC, and the watcher then ships no extra runtime dependency. The package is what the
 * tests verify with (a devDependency), so the two cannot drift apart unnoticed.
 *
 * @since 0.1.0
 */
import { createHmac } from "node:crypto";
import { Redacted } from "effect";

/**
 * A webhook secret as bytes, never printed.
 *
 * @category models
 * @since 0.1.0
 */
export type WebhookSecret = Redacted.Redacted<Uint8Array>;

/**
 * Read a `whsec_<base64>` secret (at least 16 bytes); `undefined` when malformed. The message
 * of a caller never quotes the text.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseWebhookSecret = (text: string): WebhookSecret | undefined => {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Buffer.from(match[1]!, "base64");
  return bytes.length < 16 ? undefined : Redacted.make(new Uint8Array(bytes));
};

/**
 * The three Standard Webhooks headers for one attempt. `timestamp` is epoch seconds.
 *
 * @category signing
 * @since 0.1.0
 */
export const signatureHeaders = (
  secret: WebhookSecret,
  id: string,
  timestamp: number,
  body: string,
): Readonly<Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string>> => {
  const signature = createHmac("sha256", Redacted.value(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${signature}`,
  };
};
