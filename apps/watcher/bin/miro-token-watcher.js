#!/usr/bin/env node
// Launcher for the `miro-token-watcher` binary inside this repository. It runs the esbuild
// bundle (`dist/miro-token-watcher.js`, built by the repository's install step and by
// `pnpm build`; installed from npm the bundle is the binary itself), else the compiled
// `dist/bin.js`, else the TypeScript source in this process, by Node 24's type stripping, with
// the `@miro-token/source` condition (sibling packages read from their sources) added by a
// resolve hook.
import { existsSync } from "node:fs";
import module from "node:module";

const bundle = new URL("../dist/miro-token-watcher.js", import.meta.url);
const built = new URL("../dist/bin.js", import.meta.url);
if (existsSync(bundle)) {
  // Node's on-disk compile cache skips re-parsing the bundle on every later start.
  module.enableCompileCache?.();
  await import(bundle.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  const { runSources } = await import("../../../scripts/run-sources.mjs");
  await runSources(new URL("../src/bin.ts", import.meta.url));
}
