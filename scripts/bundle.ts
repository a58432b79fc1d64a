/**
 * Bundles an app's binary (`src/bin.ts`) with esbuild into one self-contained ESM program for Node (the CLI and
 * the watcher): every dependency is inlined, so the published package has no runtime
 * dependencies and its `bin` runs with no `node_modules` at all. Sibling workspace packages are
 * read from their sources (the `@miro-token/source` condition). The target is the Node floor
 * the package declares in `engines.node` (the smoke test runs the bundles on it).
 *
 *   node ../../scripts/bundle.ts <name> [--split] [--clean]     (from the package directory)
 *
 * writes `dist/<name>.js`. The CLI splits (what only some commands need — the emulator, ky,
 * undici, the file store — goes into chunks loaded by `import()` when those commands run, so
 * `--help` and `info` stay small) and cleans `dist/`; the watcher splits too (the store, the HTTP
 * server, the transport and the OTLP exporters load only when it starts), its entry and chunks
 * written beside the library entry `tsc` emitted into `dist/`.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { build, type Plugin } from "esbuild";

/** The `x.y.z` of the package's `engines.node: ">=x.y.z"`; throws when it has no such floor. */
const nodeFloorOf = (root: string): string => {
  const manifest = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  const floor = /^>=(\d+\.\d+\.\d+)$/.exec(manifest.engines?.node ?? "")?.[1];
  if (floor === undefined) throw new Error(`${root}package.json: engines.node must be ">=x.y.z"`);
  return floor;
};

/**
 * Node built-ins reached through `process.getBuiltinModule` instead of an ESM `import`. An ESM
 * import of a built-in reads every export to build its namespace, and `node:http`'s exports
 * include getters (`WebSocket`, ...) that load Node's internal undici, zlib and more: about
 * 30 ms of CPU at start-up for a program that never touches them. As a CommonJS-style module
 * the built-in's properties are read only when used.
 */
const lazyBuiltins: Plugin = {
  name: "lazy-builtins",
  setup(build) {
    const names = builtinModules.filter((name) => !name.startsWith("_"));
    const filter = new RegExp(
      `^(node:)?(${names.map((n) => n.replace(/[/]/g, "\\/")).join("|")})$`,
    );
    build.onResolve({ filter }, (args) => ({
      path: args.path.startsWith("node:") ? args.path : `node:${args.path}`,
      namespace: "lazy-builtin",
    }));
    build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

/** What to bundle: one entry, written as `<outdir>/<name>.js` with a `#!/usr/bin/env node` line. */
export interface BinBundle {
  /** The package directory (absolute, ending in `/`). */
  readonly root: string;
  /** The entry module, relative to `root` (for example `src/bin.ts`). */
  readonly entry: string;
  /** The output file's name without `.js`: the binary's name. */
  readonly name: string;
  /** The output directory, relative to `root`; emptied first when `clean` is set. */
  readonly outdir: string;
  /** Split what only some commands need into chunks loaded by dynamic `import()`. */
  readonly splitting: boolean;
  /** Remove `outdir` before building (only when nothing else writes there). */
  readonly clean: boolean;
  /** Global identifiers replaced by JSON values (esbuild's `define`). */
  readonly define?: Readonly<Record<string, string>> | undefined;
}

/**
 * Remove the chunks an earlier split build left in `outdir` (named by content hash, so a new
 * build does not overwrite them): kept, they pile up and count in the package's size. Only
 * esbuild writes `chunk-*.js` here; `tsc` emits files named after the sources.
 */
const removeChunks = (outdir: string) => {
  let files: Array<string>;
  try {
    files = readdirSync(outdir);
  } catch {
    return;
  }
  for (const file of files) {
    if (/^chunk-[A-Z0-9]+\.js$/.test(file)) rmSync(`${outdir}/${file}`, { force: true });
  }
};

/** Builds the bundle and prints each output file with its size. */
export const bundleBin = async (spec: BinBundle): Promise<void> => {
  const outdir = `${spec.root}${spec.outdir}`;
  if (spec.clean) rmSync(outdir, { recursive: true, force: true });
  else if (spec.splitting) removeChunks(outdir);
  const result = await build({
    entryPoints: { [spec.name]: `${spec.root}${spec.entry}` },
    outdir,
    bundle: true,
    splitting: spec.splitting,
    format: "esm",
    platform: "node",
    target: `node${nodeFloorOf(spec.root)}`,
    minify: true,
    conditions: ["@miro-token/source"],
    plugins: [lazyBuiltins],
    define: { ...spec.define },
    // The hashbang makes the file the package's `bin`; some CommonJS dependencies call `require`
    // for Node built-ins, and ESM has none, so give them one.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __miroTokenCreateRequire } from "node:module"; const require = __miroTokenCreateRequire(import.meta.url);',
    },
    // redis is an optional peer of @effect/platform-node that neither app imports.
    external: ["redis"],
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const outputs = Object.entries(result.metafile.outputs)
    .map(([file, { bytes }]) => `${file.replace(spec.root, "")}  ${(bytes / 1024).toFixed(0)} KiB`)
    .join("\n");
  process.stdout.write(`${outputs}\n`);
};

if (import.meta.main) {
  const [name, ...flags] = process.argv.slice(2);
  if (name === undefined || flags.some((flag) => flag !== "--split" && flag !== "--clean")) {
    process.stderr.write("usage: node scripts/bundle.ts <name> [--split] [--clean]\n");
    process.exit(2);
  }
  await bundleBin({
    root: `${process.cwd()}/`,
    entry: "src/bin.ts",
    name,
    outdir: "dist",
    splitting: flags.includes("--split"),
    clean: flags.includes("--clean"),
  });
}
