/**
 * The one rule for secret text (an access token, a refresh token, a client secret, an HTTP
 * access token) wherever it comes from — an environment variable, a file, stdin:
 *
 * 1. at most {@link MAX_SECRET_INPUT_BYTES} bytes: larger input is refused, never read whole
 *    (files and stdin are read through a bounded reader that stops at the cap plus one byte);
 * 2. exactly one trailing line break (`\n` or `\r\n`, what `echo` and editors add) is
 *    stripped, nothing else: no trimming;
 * 3. what is left must be sendable in an HTTP header (core's `tokenProblem`).
 *
 * Before, the CLI stripped one newline, the watcher stripped all and trimmed environment
 * values, and core took `MIRO_CLIENT_SECRET` as it was. Pure: reading files is the apps' job
 * (`@miro-token/store-file/files`), but the cap and the cleaning are decided here.
 *
 * @since 0.1.0
 */
import { Result } from "effect";
import { tokenProblem } from "../TokenText.ts";

/**
 * The largest secret input, in bytes, from a file, stdin or the environment, and the largest
 * file input of any kind (a token-set file, a store entry). Miro tokens are ~60 bytes, token
 * sets and store entries well under 4 KiB.
 *
 * @category constants
 * @since 0.1.0
 */
export const MAX_SECRET_INPUT_BYTES = 64 * 1024;

/**
 * Strip exactly one trailing line break (`\n` or `\r\n`), nothing else.
 *
 * @category parsing
 * @since 0.1.0
 */
export const stripOneNewline = (text: string): string =>
  text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;

/**
 * Whether a text is over {@link MAX_SECRET_INPUT_BYTES} (UTF-8).
 *
 * @category validation
 * @since 0.1.0
 */
export const isOverSecretCap = (text: string): boolean =>
  text.length > MAX_SECRET_INPUT_BYTES ||
  // Only a text of more than a third of the cap can be over it in UTF-8 (3 bytes a unit at most).
  (text.length * 3 > MAX_SECRET_INPUT_BYTES &&
    new TextEncoder().encode(text).byteLength > MAX_SECRET_INPUT_BYTES);

/**
 * The secret a text holds (cap, one newline stripped, sendable), or why not as a fixed phrase
 * that never quotes it (`"is empty"`, `"contains whitespace or control characters"`,
 * `"is larger than 65536 bytes"`).
 *
 * @category parsing
 * @since 0.1.0
 */
export const secretFromText = (text: string): Result.Result<string, string> => {
  if (isOverSecretCap(text)) return Result.fail(`is larger than ${MAX_SECRET_INPUT_BYTES} bytes`);
  const value = stripOneNewline(text);
  const problem = tokenProblem(value);
  return problem === undefined ? Result.succeed(value) : Result.fail(problem);
};
