/**
 * Bundles the CLI into `dist/` with esbuild: ESM for Node 24, minified, sibling workspace
 * packages read from their sources (the `@miro-token/source` condition). Code splitting keeps
 * what only some commands need (the emulator, ky, undici, the file store) in chunks that are
 * loaded by dynamic `import()` when those commands run, so `--help` and `info` stay small.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist`;

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { "miro-token": `${root}src/bin.ts` },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  minify: true,
  conditions: ["@miro-token/source"],
  // Some CommonJS dependencies call `require` for Node built-ins; ESM has none, so give them one.
  banner: {
    js: 'import { createRequire as __miroTokenCreateRequire } from "node:module"; const require = __miroTokenCreateRequire(import.meta.url);',
  },
  // redis is an optional peer of @effect/platform-node that the CLI never imports.
  external: ["redis"],
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

const outputs = Object.entries(result.metafile.outputs)
  .map(([file, { bytes }]) => `${file.replace(root, "")}  ${(bytes / 1024).toFixed(0)} KiB`)
  .join("\n");
process.stdout.write(`${outputs}\n`);
