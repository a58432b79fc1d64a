/**
 * Token sets as text: Miro's token response JSON (`access_token`, `refresh_token`,
 * `expires_in`, `scope`, `team_id`, `user_id`), which `store add` reads from stdin and the
 * token-set file of `refresh --token-set` holds. Because `expires_in` is relative, files the
 * CLI writes also carry `expires_at` (epoch ms); a file without it counts from its mtime.
 * Parse failures are fixed phrases: never the text, never V8's `JSON.parse` message.
 */
import {
  MalformedTokenError,
  parseJson,
  TokenResponse,
  type TokenSet,
  tokenProblem,
  tokenSetFromResponse,
} from "@miro-token/core";
import { Effect, Redacted, Result, Schema } from "effect";
import { UsageError } from "./Failure.ts";

const TokenSetDocument = Schema.Struct({
  ...TokenResponse.fields,
  /** Written by the CLI: when the access token expires, epoch ms. */
  expires_at: Schema.optionalKey(Schema.Number),
});

const decodeDocument = Schema.decodeUnknownResult(TokenSetDocument);

/**
 * Parse a token response document. `receivedAt` anchors a relative `expires_in` when the
 * document has no `expires_at`.
 */
export const parseTokenSetText = (
  text: string,
  receivedAt: number,
  source: string,
): Effect.Effect<TokenSet, UsageError | MalformedTokenError> =>
  Effect.gen(function* () {
    const json = parseJson(text);
    if (Result.isFailure(json)) {
      return yield* new UsageError({ reason: `${source} is not JSON (${json.failure})` });
    }
    const decoded = decodeDocument(json.success);
    if (Result.isFailure(decoded)) {
      return yield* new UsageError({
        reason: `${source} is not a Miro token response (expected JSON with access_token, optionally refresh_token, expires_in, scope)`,
      });
    }
    const document = decoded.success;
    for (const [subject, value] of [
      ["access token", document.access_token],
      ["refresh token", document.refresh_token],
    ] as const) {
      const problem = value === undefined ? undefined : tokenProblem(value);
      if (problem !== undefined) {
        return yield* new MalformedTokenError({ attempts: 0, subject, reason: problem });
      }
    }
    const tokenSet = tokenSetFromResponse(document, receivedAt);
    return document.expires_at === undefined
      ? tokenSet
      : { ...tokenSet, expiresAt: document.expires_at };
  });

/** A token set as the document the CLI writes (secrets included: for 0600 files only). */
export const tokenSetDocument = (tokenSet: TokenSet, now: number) => ({
  access_token: Redacted.value(tokenSet.accessToken),
  ...(tokenSet.refreshToken === undefined
    ? {}
    : { refresh_token: Redacted.value(tokenSet.refreshToken) }),
  ...(tokenSet.expiresAt === undefined
    ? {}
    : {
        expires_in: Math.max(0, Math.floor((tokenSet.expiresAt - now) / 1000)),
        expires_at: tokenSet.expiresAt,
      }),
  scope: tokenSet.scopes.join(" "),
  ...(tokenSet.teamId === undefined ? {} : { team_id: tokenSet.teamId }),
  ...(tokenSet.userId === undefined ? {} : { user_id: tokenSet.userId }),
  token_type: "bearer",
});
