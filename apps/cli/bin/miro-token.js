#!/usr/bin/env node
// Launcher for the `miro-token` binary. It runs the esbuild bundle (`dist/miro-token.js`, built
// by the repository's install step and by `pnpm build`): one minified file starts several times
// faster than thousands of ESM files, and `--help` and `--version` are answered there without
// loading the program. Without a bundle it runs the TypeScript source in this process, by
// Node 24's type stripping, with the `@miro-token/source` condition added by a resolve hook.
import { existsSync } from "node:fs";
import module from "node:module";

const bundle = new URL("../dist/miro-token.js", import.meta.url);
if (existsSync(bundle)) {
  // Node's on-disk compile cache skips re-parsing the bundle on every later start.
  module.enableCompileCache?.();
  await import(bundle.href);
} else {
  const { runSources } = await import("../../../scripts/run-sources.mjs");
  await runSources(new URL("../src/bin.ts", import.meta.url));
}
