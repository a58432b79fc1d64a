/**
 * Shared fixtures: a token response document for an issued emulator token set, as `store add`
 * and token-set files take it, and the environment that points the CLI at an emulator.
 */
import type { Emulator, IssuedTokens } from "@miro-token/emulator";

/** Miro's token response JSON for an issued token set. */
export const tokenResponseOf = (tokens: IssuedTokens): string =>
  JSON.stringify({
    access_token: tokens.accessToken,
    ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }),
    ...(tokens.expiresIn === undefined ? {} : { expires_in: tokens.expiresIn }),
    scope: tokens.scope,
    user_id: tokens.userId,
    team_id: tokens.teamId,
    token_type: "bearer",
  });

/** Base URL and the seed client's credentials. */
export const emulatorEnv = (emulator: Emulator): Record<string, string> => ({
  MIRO_API_BASE_URL: emulator.baseUrl,
  MIRO_CLIENT_ID: emulator.seed!.client.clientId,
  MIRO_CLIENT_SECRET: emulator.seed!.client.clientSecret,
});
