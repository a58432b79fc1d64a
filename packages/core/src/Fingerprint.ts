/**
 * A short, stable name for a token that is safe to print: the first 8 hex digits of its
 * SHA-256. Messages and logs use it instead of the token. Computed with Web Crypto
 * (`crypto.subtle`), so it runs in any JS runtime.
 *
 * @since 0.1.0
 */
import { Effect, Redacted } from "effect";

/**
 * Hex digits in a fingerprint.
 *
 * @category constants
 * @since 0.1.0
 */
export const FINGERPRINT_LENGTH = 8;

const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");

/**
 * The fingerprint of a token: first {@link FINGERPRINT_LENGTH} hex digits of SHA-256(UTF-8).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fingerprint = (token: Redacted.Redacted<string> | string): Effect.Effect<string> =>
  Effect.promise(async () => {
    const text = typeof token === "string" ? token : Redacted.value(token);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return toHex(new Uint8Array(digest)).slice(0, FINGERPRINT_LENGTH);
  });
