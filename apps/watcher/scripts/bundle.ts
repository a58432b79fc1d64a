/**
 * Bundles the `miro-token-watcher` binary into `dist/miro-token-watcher.js` (scripts/bundle.ts):
 * one minified ESM file with every dependency inlined, so the published package installs with
 * no dependencies. Runs after `tsc`, which writes the library entry (`dist/index.js`) beside it.
 */
import { fileURLToPath } from "node:url";
import { bundleBin } from "../../../scripts/bundle.ts";

await bundleBin({
  root: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/bin.ts",
  name: "miro-token-watcher",
  outdir: "dist",
  splitting: false,
  clean: false,
});
