/**
 * The tokens an OAuth grant hands out (`POST /v1/oauth/token`): an access token, a refresh token
 * when the app has expiring tokens enabled, when the access token expires, the scopes, and the
 * team and user they belong to.
 *
 * Tokens are `Redacted` from the moment they are decoded. `expiresAt` is epoch milliseconds,
 * computed from the time the response was received (Effect `Clock`) plus `expires_in`; it is
 * absent for a non-expiring token. `teamId` keeps every digit of Miro's bare-number `team_id`.
 *
 * @since 0.1.0
 */
import { Redacted, Schema } from "effect";
import { MiroId } from "./TokenInfo.ts";

/**
 * @category schemas
 * @since 0.1.0
 */
export const TokenSet = Schema.Struct({
  accessToken: Schema.Redacted(Schema.String),
  /** Absent for non-expiring tokens. Single use: Miro rotates it on every refresh. */
  refreshToken: Schema.optionalKey(Schema.Redacted(Schema.String)),
  /** Epoch ms when the refresh token was issued (see `RefreshTokenAge.ts`); absent if unknown. */
  refreshTokenIssuedAt: Schema.optionalKey(Schema.Number),
  /** Epoch milliseconds; absent for non-expiring tokens. */
  expiresAt: Schema.optionalKey(Schema.Number),
  scopes: Schema.Array(Schema.String),
  teamId: Schema.optionalKey(Schema.String),
  userId: Schema.optionalKey(Schema.String),
});

/**
 * @category models
 * @since 0.1.0
 */
export type TokenSet = typeof TokenSet.Type;

/**
 * The token endpoint's 200 body, as Miro sends it (snake case, `team_id` possibly a number).
 *
 * @category schemas
 * @since 0.1.0
 */
export const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  refresh_token: Schema.optionalKey(Schema.String),
  expires_in: Schema.optionalKey(Schema.Number),
  scope: Schema.optionalKey(Schema.String),
  team_id: Schema.optionalKey(MiroId),
  user_id: Schema.optionalKey(MiroId),
  token_type: Schema.optionalKey(Schema.String),
});

/**
 * @category models
 * @since 0.1.0
 */
export type TokenResponse = typeof TokenResponse.Type;

const redact = (value: string): Redacted.Redacted<string> => Redacted.make(value);

/**
 * Build a {@link TokenSet} from a token response received at `receivedAt` (epoch ms).
 *
 * @category constructors
 * @since 0.1.0
 */
export const tokenSetFromResponse = (response: TokenResponse, receivedAt: number): TokenSet => ({
  accessToken: redact(response.access_token),
  ...(response.refresh_token === undefined
    ? {}
    : { refreshToken: redact(response.refresh_token), refreshTokenIssuedAt: receivedAt }),
  ...(response.expires_in === undefined || !Number.isFinite(response.expires_in)
    ? {}
    : { expiresAt: receivedAt + Math.max(0, response.expires_in) * 1000 }),
  scopes: (response.scope ?? "").split(" ").filter((scope) => scope !== ""),
  ...(response.team_id === undefined ? {} : { teamId: response.team_id }),
  ...(response.user_id === undefined ? {} : { userId: response.user_id }),
});
