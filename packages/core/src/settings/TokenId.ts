/**
 * The one rule for token ids (the names entries have in a token store): 1 to
 * {@link MAX_TOKEN_ID_BYTES} bytes of UTF-8, well-formed (no lone surrogates), without control
 * characters. Before, the CLI allowed 128 visible ASCII characters and the file store 90 bytes,
 * so ids of 91-128 characters passed the CLI and failed in the store as a `StoreError`. The CLI
 * (usage error, exit 2), the watcher and `@miro-token/store-file` all ask this module.
 *
 * 128 bytes keep every file name the file store derives from an id (base64url, at most 172
 * characters, plus suffixes and lock-break markers) under the 255-byte limit of common file
 * systems. Spaces and non-ASCII letters are allowed (`"user/with spaces:ü"`); control
 * characters are not: an id is printed in tables and logs.
 *
 * @since 0.1.0
 */

/**
 * The longest id, in UTF-8 bytes.
 *
 * @category constants
 * @since 0.1.0
 */
export const MAX_TOKEN_ID_BYTES = 128;

// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL = /[\x00-\x1F\x7F-\x9F]/;

const utf8Length = (text: string): number => {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
};

/**
 * What is wrong with an id, as a fixed phrase that never quotes it, or `undefined` when it is
 * a valid id.
 *
 * @category validation
 * @since 0.1.0
 */
export const tokenIdProblem = (id: string): string | undefined => {
  if (id.length === 0) return "is empty";
  if (id.length > MAX_TOKEN_ID_BYTES || utf8Length(id) > MAX_TOKEN_ID_BYTES) {
    return `is longer than ${MAX_TOKEN_ID_BYTES} bytes`;
  }
  if (!id.isWellFormed()) return "is not well-formed Unicode";
  if (CONTROL.test(id)) return "contains control characters";
  return undefined;
};

/**
 * Whether `id` is a valid token id.
 *
 * @category validation
 * @since 0.1.0
 */
export const isTokenId = (id: string): boolean => tokenIdProblem(id) === undefined;

/**
 * The rule in words, for help texts and usage errors.
 *
 * @category constants
 * @since 0.1.0
 */
export const TOKEN_ID_RULE = `1 to ${MAX_TOKEN_ID_BYTES} bytes (UTF-8) without control characters`;
