/**
 * The errno code of a failed Node call (`"ENOENT"`), the one reader of `error.code` that the
 * store, the CLI and the watcher share. Messages of Node's errors quote paths (and, for JSON,
 * file contents), so every user-facing failure says the code alone.
 *
 * @since 0.1.0
 */

/**
 * The errno code of `cause` (`"ENOENT"`, `"EACCES"`), or `undefined` when it carries none.
 *
 * @category errors
 * @since 0.1.0
 */
export const errnoCode = (cause: unknown): string | undefined => {
  const code =
    typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
};
