// The refresh token's age rules: its end is the issue time plus the lifetime (60 days by
// default), and it counts as expiring from the margin (7 days) before that; unknown without an
// issue time or a refresh token.
import { describe, expect, it } from "@effect/vitest";
import { Redacted } from "effect";
import { isRefreshTokenExpiring, refreshTokenExpiresAt, type TokenSet } from "../src/index.ts";
import { MIRO_REFRESH_TOKEN_LIFETIME_MS, refreshTokenDueAt } from "../src/internal.ts";

const DAY = 86_400_000;
const issued = 1_700_000_000_000;
const set: TokenSet = {
  accessToken: Redacted.make("a"),
  refreshToken: Redacted.make("r"),
  refreshTokenIssuedAt: issued,
  scopes: [],
};

describe("RefreshTokenAge", () => {
  it("60 days for Miro, expiring 7 days before, both configurable", () => {
    expect(MIRO_REFRESH_TOKEN_LIFETIME_MS).toBe(60 * DAY);
    expect(refreshTokenExpiresAt(set)).toBe(issued + 60 * DAY);
    expect(refreshTokenDueAt(set)).toBe(issued + 53 * DAY);
    expect(isRefreshTokenExpiring(set, issued + 53 * DAY - 1)).toBe(false);
    expect(isRefreshTokenExpiring(set, issued + 53 * DAY)).toBe(true);
    const age = { lifetimeMs: 10 * DAY, marginMs: 2 * DAY };
    expect(isRefreshTokenExpiring(set, issued + 8 * DAY - 1, age)).toBe(false);
    expect(isRefreshTokenExpiring(set, issued + 8 * DAY, age)).toBe(true);
  });

  it("unknown (never expiring) without an issue time or a refresh token", () => {
    const { refreshTokenIssuedAt: _, ...unknown } = set;
    expect(refreshTokenExpiresAt(unknown)).toBeUndefined();
    expect(isRefreshTokenExpiring(unknown, Number.MAX_SAFE_INTEGER)).toBe(false);
    const { refreshToken: __, ...none } = set;
    expect(isRefreshTokenExpiring(none, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
