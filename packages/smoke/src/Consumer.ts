/**
 * Fresh npm projects outside the workspace, as a stranger's machine would have them: a
 * `package.json`, then `npm install` of tarballs and registry packages (npm, not pnpm, so no
 * workspace link or hoisting habit of ours can hide a missing dependency). `--prefer-offline`
 * takes what npm's cache already holds without asking the registry again (half the time). A
 * registry request that stalls is given up after 20 s and retried, rather than waiting out
 * npm's 5-minute default (a CI run once spent its whole test timeout on one such stall).
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runOk } from "./Run.ts";

/** Creates `dir` as an empty ESM npm project and installs `specs` (exact versions, no audit). */
export const npmProject = async (dir: string, specs: ReadonlyArray<string>): Promise<void> => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "stranger", version: "1.0.0", private: true, type: "module" })}\n`,
  );
  await runOk(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--save-exact",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--fetch-timeout=20000",
      "--fetch-retries=4",
      ...specs,
    ],
    { cwd: dir, timeout: 300_000, env: { npm_config_update_notifier: "false" } },
  );
};

/** The packages installed in `dir/node_modules` (scoped ones as `@scope/name`). */
export const installedPackages = (dir: string): ReadonlyArray<string> => {
  const modules = join(dir, "node_modules");
  return readdirSync(modules)
    .filter((name) => !name.startsWith("."))
    .flatMap((name) =>
      name.startsWith("@")
        ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`)
        : [name],
    )
    .sort();
};

/** The total size in bytes of the files under `path`. */
export const diskSize = (path: string): number => {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, name) => sum + diskSize(join(path, name)), 0);
};
