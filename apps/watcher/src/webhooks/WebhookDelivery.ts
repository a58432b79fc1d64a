/**
 * One delivery attempt and what it means. The attempt is a POST of the stored body with fresh
 * Standard Webhooks headers; redirects are not followed (a 3xx is a failed attempt: a receiver
 * that moved must be reconfigured, and following it could send events elsewhere). The verdict
 * and the wait before the next attempt are pure functions ({@link verdictOf},
 * {@link backoffDelay}), so the retry rules are tested without a server.
 *
 * Retries: exponential backoff from {@link BACKOFF_BASE_MS} doubling up to {@link BACKOFF_CAP_MS},
 * with jitter (half the delay fixed, half random, so a fleet does not retry in step), for up to
 * {@link GIVE_UP_AFTER_MS} after the event was recorded. A 410 means the receiver is gone: the
 * event fails and the dispatcher stops sending to it.
 *
 * @since 0.1.0
 */
import { Effect } from "effect";
import { signatureHeaders, type WebhookSecret } from "./WebhookSignature.ts";

/**
 * First retry delay, ms (5 s).
 *
 * @category constants
 * @since 0.1.0
 */
export const BACKOFF_BASE_MS = 5_000;

/**
 * Longest retry delay, ms (1 h).
 *
 * @category constants
 * @since 0.1.0
 */
export const BACKOFF_CAP_MS = 3_600_000;

/**
 * An event is retried for this long after it was recorded, ms (24 h).
 *
 * @category constants
 * @since 0.1.0
 */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/**
 * How one attempt went: `ok`, a retryable failure, or `gone` (410).
 *
 * @category models
 * @since 0.1.0
 */
export type AttemptResult =
  | { readonly _tag: "Ok"; readonly status: number }
  | { readonly _tag: "Failed"; readonly error: string }
  | { readonly _tag: "Gone" };

/**
 * The verdict on an HTTP status.
 *
 * @category models
 * @since 0.1.0
 */
export const verdictOf = (status: number): AttemptResult => {
  if (status >= 200 && status < 300) return { _tag: "Ok", status };
  if (status === 410) return { _tag: "Gone" };
  if (status >= 300 && status < 400) {
    return { _tag: "Failed", error: `HTTP ${status} (redirect not followed)` };
  }
  return { _tag: "Failed", error: `HTTP ${status}` };
};

/**
 * The wait before attempt `attempts + 1`, given a uniform random number in [0, 1).
 *
 * @category models
 * @since 0.1.0
 */
export const backoffDelay = (attempts: number, random: number): number => {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
};

/**
 * POST one event. Never fails: a network error or a timeout is a `Failed` result whose text
 * names the error code only (never a URL or a body).
 *
 * @category delivery
 * @since 0.1.0
 */
export const attempt = (options: {
  readonly url: URL;
  readonly secret: WebhookSecret;
  readonly id: string;
  readonly body: string;
  /** Epoch ms of this attempt (the signature's timestamp). */
  readonly now: number;
  readonly timeoutMs: number;
}): Effect.Effect<AttemptResult> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(options.url, {
        method: "POST",
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        headers: {
          "content-type": "application/json",
          "user-agent": "miro-token-watcher",
          ...signatureHeaders(
            options.secret,
            options.id,
            Math.floor(options.now / 1000),
            options.body,
          ),
        },
        body: options.body,
      });
      await response.body?.cancel().catch(() => undefined);
      return verdictOf(response.status);
    },
    catch: (cause) => cause,
  }).pipe(
    Effect.catch((cause) => {
      const error = cause as { name?: unknown; cause?: { code?: unknown } };
      const code =
        error.name === "TimeoutError"
          ? "timeout"
          : typeof error.cause?.code === "string"
            ? error.cause.code
            : "network error";
      return Effect.succeed<AttemptResult>({ _tag: "Failed", error: code });
    }),
  );
