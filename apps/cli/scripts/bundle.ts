/**
 * Bundles the CLI into `dist/` (`pnpm build`; the CLI's tests and the cold-start bench call it
 * too): scripts/bundle.ts with code splitting, `dist/` emptied first.
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
