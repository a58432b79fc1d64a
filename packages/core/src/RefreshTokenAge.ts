/**
 * How old a refresh token may get. Miro refresh tokens live 60 days; one that is not used in
 * that time dies silently and the user must authorize again. A token set records when its
 * refresh token was issued (`refreshTokenIssuedAt`), so a watcher can refresh it once ahead of
 * that end (core's watch loop does, `margin` before it) and report one it cannot renew
 * (`RefreshTokenExpiring` in the watcher's webhooks).
 *
 * Pure functions over a token set and a time: no clock is read here.
 *
 * @since 0.1.0
 */
import type { TokenSet } from "./TokenSet.ts";

const DAY = 24 * 3_600_000;

/**
 * Miro's refresh token lifetime, ms (60 days).
 *
 * @category constants
 * @since 0.1.0
 */
export const MIRO_REFRESH_TOKEN_LIFETIME_MS = 60 * DAY;

/**
 * How long before its end a refresh token counts as expiring, ms (7 days).
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_REFRESH_TOKEN_MARGIN_MS = 7 * DAY;

/**
 * Lifetime and margin, ms.
 *
 * @category models
 * @since 0.1.0
 */
export interface RefreshTokenAge {
  /** @default 60 days */
  readonly lifetimeMs?: number | undefined;
  /** @default 7 days */
  readonly marginMs?: number | undefined;
}

/**
 * When the token set's refresh token dies (epoch ms); `undefined` without a refresh token or
 * an issue time.
 *
 * @category refresh token age
 * @since 0.1.0
 */
export const refreshTokenExpiresAt = (
  tokenSet: TokenSet,
  age: RefreshTokenAge = {},
): number | undefined =>
  tokenSet.refreshToken === undefined || tokenSet.refreshTokenIssuedAt === undefined
    ? undefined
    : tokenSet.refreshTokenIssuedAt + (age.lifetimeMs ?? MIRO_REFRESH_TOKEN_LIFETIME_MS);

/**
 * When the refresh token starts counting as expiring: its end minus the margin.
 *
 * @category refresh token age
 * @since 0.1.0
 */
export const refreshTokenDueAt = (
  tokenSet: TokenSet,
  age: RefreshTokenAge = {},
): number | undefined => {
  const end = refreshTokenExpiresAt(tokenSet, age);
  return end === undefined ? undefined : end - (age.marginMs ?? DEFAULT_REFRESH_TOKEN_MARGIN_MS);
};

/**
 * Whether the refresh token has less than the margin left at `now`.
 *
 * @category refresh token age
 * @since 0.1.0
 */
export const isRefreshTokenExpiring = (
  tokenSet: TokenSet,
  now: number,
  age: RefreshTokenAge = {},
): boolean => {
  const due = refreshTokenDueAt(tokenSet, age);
  return due !== undefined && now >= due;
};
