/**
 * Bundles the CLI into `dist/` (`pnpm build`; the CLI's tests and the cold-start bench call it
 * too): first the answers printed without running the program (`fast-output.ts`, rendered by the
 * program itself from source) and `info`'s argv table (`fast-argv.ts`, derived from the
 * program's flags), then scripts/bundle.ts with code splitting, `dist/` emptied first. The entry
 * (`src/launch.ts`) holds both; the program is a chunk it imports, and `info`'s fast path a
 * bundle of its own (`dist/info/`).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bundleBin } from "../../../scripts/bundle.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

const render = (script: string): string =>
  execFileSync(process.execPath, ["--conditions=@miro-token/source", script], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();

await bundleBin({
  root,
  entry: "src/launch.ts",
  name: "miro-token",
  outdir: "dist",
  splitting: true,
  clean: true,
  define: {
    MIRO_TOKEN_FAST_OUTPUT: JSON.stringify(render("scripts/fast-output.ts")),
    MIRO_TOKEN_FAST_ARGV: JSON.stringify(render("scripts/fast-argv.ts")),
  },
});

// `info`'s fast path, bundled on its own: esbuild's splitting puts a module in a chunk by which
// entries import it, not by what they use of it, so in the program's bundle `info` would
// evaluate everything any command uses of core and Effect (~580 KiB minified, ~40 ms CPU).
await bundleBin({
  root,
  entry: "src/InfoFastBin.ts",
  name: "miro-token-info",
  outdir: "dist/info",
  splitting: true,
  clean: false,
});
