/**
 * The refresh token age flags: how long a refresh token lives (`--refresh-token-lifetime`,
 * Miro: 60 days) and how much of it left counts as expiring (`--refresh-token-margin`, 7
 * days). Kept apart from `WatcherConfig.ts` (already long); read with the watcher's one
 * duration reader (core's grammar), and a margin that is not shorter than the lifetime is
 * refused: every token would be "expiring" from the moment it is issued.
 *
 * @since 0.1.0
 */
import { Duration } from "effect";

/**
 * The two flags, their environment variables and help text (part of `FLAGS`).
 *
 * @category constants
 * @since 0.1.0
 */
export const REFRESH_TOKEN_AGE_FLAGS = [
  {
    flag: "refresh-token-lifetime",
    env: "MIRO_WATCHER_REFRESH_TOKEN_LIFETIME",
    value: "<duration>",
    text: "how long a refresh token lives after it was issued (default 60d, Miro's)",
  },
  {
    flag: "refresh-token-margin",
    env: "MIRO_WATCHER_REFRESH_TOKEN_MARGIN",
    value: "<duration>",
    text: "renew (or report RefreshTokenExpiring) when less than this is left (default 7d; below the lifetime)",
  },
] as const;

/**
 * The refresh token age settings, milliseconds.
 *
 * @category models
 * @since 0.1.0
 */
export interface RefreshTokenAgeSettings {
  readonly refreshTokenLifetime: number;
  readonly refreshTokenMargin: number;
}

const DAY = 86_400_000;

/** A duration as the grammar writes it (`7d`, `10d 12h`). */
const shown = (millis: number): string => Duration.format(Duration.millis(millis));

/**
 * Read both flags with `duration` (the watcher's reader: flag, then variable, core's grammar;
 * it pushes its own problems) and refuse a margin that is not shorter than the lifetime.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseRefreshTokenAge = (
  duration: (flag: string, fallback: number, min: number) => number,
  problems: Array<string>,
): RefreshTokenAgeSettings => {
  const refreshTokenLifetime = duration("refresh-token-lifetime", 60 * DAY, 1);
  const refreshTokenMargin = duration("refresh-token-margin", 7 * DAY, 0);
  if (refreshTokenMargin >= refreshTokenLifetime) {
    problems.push(
      `--refresh-token-margin (${shown(refreshTokenMargin)}) must be shorter than --refresh-token-lifetime (${shown(refreshTokenLifetime)}): every refresh token would count as expiring`,
    );
  }
  return { refreshTokenLifetime, refreshTokenMargin };
};
