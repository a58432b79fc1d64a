/**
 * The one place a package's version comes from: its package.json. For every workspace package
 * that has a `src/version.ts`, this writes that module from package.json's `version`, so the
 * CLI's and the watcher's `--version`, the emulator's `--version` and core's user agent always
 * say what was published (tsc and esbuild compile the module into `dist/`).
 *
 *   node scripts/versions.ts           rewrite every stale src/version.ts
 *   node scripts/versions.ts --check   fail (exit 1) listing the stale ones; nothing written
 *
 * `version-packages` runs it after `changeset version`; `build` and `lint` run the check, so a
 * bumped package.json with a stale module can be neither published nor merged.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The text `src/version.ts` must hold for a package at `version`. */
export const versionModule = (name: string, version: string): string =>
  [
    `// Generated from package.json by scripts/versions.ts (\`pnpm versions\`): do not edit.`,
    "",
    `/** The version of ${name} in this build, from its package.json. */`,
    `export const VERSION = ${JSON.stringify(version)};`,
    "",
  ].join("\n");

/** The `src/version.ts` files under `packages/` and `apps/` and the text each must hold. */
export const expectedVersionModules = (): ReadonlyArray<{ path: string; text: string }> =>
  ["packages", "apps"].flatMap((group) =>
    readdirSync(join(root, group)).flatMap((dir) => {
      const path = join(root, group, dir, "src", "version.ts");
      if (!existsSync(path)) return [];
      const pkg = JSON.parse(readFileSync(join(root, group, dir, "package.json"), "utf8"));
      return [{ path, text: versionModule(pkg.name, pkg.version) }];
    }),
  );

if (import.meta.main) {
  const check = process.argv.includes("--check");
  const stale = expectedVersionModules().filter(
    ({ path, text }) => readFileSync(path, "utf8") !== text,
  );
  for (const { path, text } of stale) {
    const relative = path.slice(root.length);
    if (check) process.stderr.write(`stale: ${relative} does not match its package.json\n`);
    else {
      writeFileSync(path, text);
      process.stdout.write(`wrote ${relative}\n`);
    }
  }
  if (check && stale.length > 0) {
    process.stderr.write("Run `pnpm versions` to regenerate them from package.json.\n");
    process.exit(1);
  }
}
