/**
 * Checks a token (or refresh token, or authorization code) before it goes anywhere near a
 * request. A value with whitespace, control or non-ASCII characters cannot be an HTTP header
 * value, and `fetch`'s `Headers` would echo the whole value in its error message (a token read
 * from a file with a trailing newline is the classic case). Such a value is refused with a
 * {@link MalformedTokenError} that never contains it.
 *
 * @since 0.1.0
 */
import { Effect, Redacted } from "effect";
import { MalformedTokenError } from "./Errors.ts";

/**
 * What is being checked, for the error message.
 *
 * @category models
 * @since 0.1.0
 */
export type TokenSubject = "access token" | "refresh token" | "authorization code";

const VISIBLE_ASCII = /^[\x21-\x7E]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const WHITESPACE_OR_CONTROL = /[\s\x00-\x1F\x7F]/;

/**
 * Why a value cannot be sent, as a fixed phrase, or `undefined` when it can.
 *
 * @category validation
 * @since 0.1.0
 */
export const tokenProblem = (value: string): string | undefined => {
  if (value.length === 0) return "is empty";
  if (VISIBLE_ASCII.test(value)) return undefined;
  return WHITESPACE_OR_CONTROL.test(value)
    ? "contains whitespace or control characters"
    : "contains non-ASCII characters";
};

/**
 * The token's text if it can be sent; otherwise a {@link MalformedTokenError} (0 attempts).
 *
 * @category validation
 * @since 0.1.0
 */
export const checkToken = (
  subject: TokenSubject,
  token: Redacted.Redacted<string> | undefined,
): Effect.Effect<string, MalformedTokenError> => {
  if (token === undefined) {
    return Effect.fail(new MalformedTokenError({ attempts: 0, subject, reason: "is missing" }));
  }
  const value = Redacted.value(token);
  const problem = tokenProblem(value);
  return problem === undefined
    ? Effect.succeed(value)
    : Effect.fail(new MalformedTokenError({ attempts: 0, subject, reason: problem }));
};
