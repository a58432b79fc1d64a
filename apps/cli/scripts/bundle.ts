/**
 * Bundles the CLI into `dist/` (scripts/bundle.ts): ESM, minified, every dependency inlined so
 * the published package installs with no dependencies. Code splitting keeps what only some
 * commands need (the emulator, ky, undici, the file store) in chunks that are loaded by dynamic
 * `import()` when those commands run, so `--help` and `info` stay small.
 */
import { fileURLToPath } from "node:url";
import { bundleBin } from "../../../scripts/bundle.ts";

await bundleBin({
  root: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/bin.ts",
  name: "miro-token",
  outdir: "dist",
  splitting: true,
  clean: true,
});
