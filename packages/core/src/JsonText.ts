/**
 * JSON parsing for Miro response bodies, with two guarantees `JSON.parse` alone does not give:
 *
 * - Integers beyond 2^53 keep every digit. Miro sends `team_id` as a bare JSON number such as
 *   `3074457358607431473`; it comes back as the string `"3074457358607431473"`. Where the
 *   runtime supports the reviver's `context.source` (V8 11.4+, Node 21+) every unsafe integer
 *   is preserved; elsewhere a fallback quotes the `team_id`/`user_id` numbers before parsing.
 * - A failure never echoes the input. V8's `SyntaxError` quotes ten characters of the body,
 *   which may be a token; the reason returned here is a fixed phrase.
 *
 * @since 0.1.0
 */
import { Result } from "effect";

/**
 * Why a body could not be read as JSON. Fixed phrases only: never the body, never V8's message.
 *
 * @category models
 * @since 0.1.0
 */
export type JsonFailure = "empty body" | "not JSON";

const INTEGER = /^-?\d+$/;

/**
 * A bare number of 16 or more digits: the only kind that can be an unsafe integer (2^53 − 1 has
 * 16 digits). A number value starts the text or follows `:`, `,` or `[`. A match inside a string
 * only sends the body down the slower reviver path, which is correct anyway.
 */
const LONG_NUMBER = /(?:^|[:,[])\s*-?\d{16}/;

type ReviverContext = { readonly source?: string } | undefined;

const hasSourceAccess: boolean = (() => {
  let seen = false;
  JSON.parse("1", ((_key, value, context?: ReviverContext) => {
    seen = typeof context?.source === "string";
    return value;
  }) as (this: unknown, key: string, value: unknown) => unknown);
  return seen;
})();

const preserveBigIntegers = ((_key: string, value: unknown, context?: ReviverContext): unknown => {
  if (typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value)) {
    const source = context?.source;
    if (source !== undefined && INTEGER.test(source)) return source;
  }
  return value;
}) as (this: unknown, key: string, value: unknown) => unknown;

/** Quote the bare numeric ids Miro is known to send, for runtimes without `context.source`. */
const quoteKnownIds = (text: string): string =>
  text.replace(/("(?:team_id|user_id)"\s*:\s*)(-?\d+)(?=\s*[,}])/g, '$1"$2"');

/**
 * Parse a JSON body. Unsafe integers become decimal strings; failures carry no input text.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseJson = (text: string): Result.Result<unknown, JsonFailure> => {
  if (text.trim() === "") return Result.fail("empty body");
  try {
    // Most bodies hold no long number: a plain parse is several times faster than a reviver.
    if (!LONG_NUMBER.test(text)) return Result.succeed(JSON.parse(text));
    return Result.succeed(
      hasSourceAccess ? JSON.parse(text, preserveBigIntegers) : JSON.parse(quoteKnownIds(text)),
    );
  } catch {
    return Result.fail("not JSON");
  }
};

/**
 * The fallback path on its own, exported so it can be tested on any runtime.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseJsonWithoutSourceAccess = (text: string): Result.Result<unknown, JsonFailure> => {
  if (text.trim() === "") return Result.fail("empty body");
  try {
    return Result.succeed(JSON.parse(quoteKnownIds(text)));
  } catch {
    return Result.fail("not JSON");
  }
};
