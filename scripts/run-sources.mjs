// The in-repo launchers' fallback when their package has no bundle (apps/cli/bin,
// apps/watcher/bin): run a TypeScript entry in this process, by Node 24's type stripping, with
// sibling packages resolved to their sources (the `@miro-token/source` export condition, added
// by a resolve hook) — no child Node, so no second start-up and no signals to forward.
import module from "node:module";

/**
 * Imports the TypeScript module at `entry` (a file URL) with the `@miro-token/source` condition.
 * @param {URL} entry
 * @returns {Promise<unknown>}
 */
export const runSources = (entry) => {
  module.registerHooks({
    resolve: (specifier, context, nextResolve) =>
      nextResolve(specifier, {
        ...context,
        conditions: [...context.conditions, "@miro-token/source"],
      }),
  });
  return import(entry.href);
};
