/**
 * What the watcher observes about a token (probes, refreshes, clocks, stopping), as data: the
 * input of the lifecycle rules in `TokenTransition.ts`, kept apart from them so the rules
 * module holds only the rules.
 *
 * @since 0.1.0
 */
import { Data } from "effect";
import type { TokenInfo } from "./TokenInfo.ts";
import type { FailureSummary } from "./TokenStatus.ts";

/**
 * What the watcher observed.
 *
 * @category models
 * @since 0.1.0
 */
export type TokenEvent = Data.TaggedEnum<{
  ProbeSucceeded: { readonly info: TokenInfo; readonly expiresAt?: number | undefined };
  ProbeFailed: {
    readonly error: FailureSummary;
    /**
     * The token has a refresh token and no refresh has been tried since Miro first rejected
     * it: a rejection then leads to one refresh before anything is declared `Invalid`.
     */
    readonly refreshable: boolean;
    readonly attempt: number;
    readonly nextCheckAt: number;
    /** For a 429: when the quota resets (epoch ms). */
    readonly resetAt?: number | undefined;
  };
  ExpiryApproaching: { readonly expiresAt: number; readonly refreshAt: number };
  RefreshStarted: Record<never, never>;
  RefreshSucceeded: { readonly expiresAt?: number | undefined; readonly generation: number };
  RefreshFailed: {
    readonly error: FailureSummary;
    /** Why re-authorization is needed, when the refresher said so. */
    readonly reason?: string | undefined;
    readonly attempt: number;
    readonly nextCheckAt: number;
    readonly resetAt?: number | undefined;
  };
  PersistFailed: { readonly error: FailureSummary; readonly attempt: number };
  RateLimitHit: { readonly resetAt: number };
  ExpiryReached: { readonly expiresAt?: number | undefined };
  RevokedByUs: Record<never, never>;
  Stop: { readonly reason: string };
}>;

/**
 * Constructors and matchers for {@link TokenEvent}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const TokenEvent = Data.taggedEnum<TokenEvent>();
