#!/usr/bin/env node
// Launcher for the `miro-token` binary. It runs the esbuild bundle (`dist/miro-token.js`, built
// by `pnpm build`): one minified file starts several times faster than thousands of ESM files.
// Without a bundle (a fresh clone before `pnpm build`) it falls back to the TypeScript source,
// run by Node 24's type stripping with the `@miro-token/source` condition in a child process.
import { existsSync } from "node:fs";
import module from "node:module";

const bundle = new URL("../dist/miro-token.js", import.meta.url);
if (existsSync(bundle)) {
  // Node's on-disk compile cache skips re-parsing the bundle on every later start.
  module.enableCompileCache?.();
  await import(bundle.href);
} else {
  const { spawnSync } = await import("node:child_process");
  const source = new URL("../src/bin.ts", import.meta.url);
  const child = spawnSync(
    process.execPath,
    ["--conditions=@miro-token/source", source.pathname, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(child.status ?? 1);
}
