// Generated from package.json by scripts/versions.ts (`pnpm versions`): do not edit.

/** The version of @miro-token/watcher in this build, from its package.json. */
export const VERSION = "0.0.0";
