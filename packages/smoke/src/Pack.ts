/**
 * Packs the public packages with the repository's pinned pnpm (which rewrites `workspace:`
 * ranges and applies `publishConfig`, as `pnpm publish` would) into one directory of tarballs.
 */
import { join } from "node:path";
import { runOk } from "./Run.ts";
import { pinnedPnpm, REPO_ROOT, type WorkspacePackage } from "./Workspace.ts";

/** The pnpm command: the pnpm running this test when there is one, else the pinned one via npx. */
const pnpm = (): readonly [string, ReadonlyArray<string>] => {
  const running = process.env.npm_execpath;
  if (running !== undefined && /pnpm/.test(running) && /\.c?js$/.test(running))
    return [process.execPath, [running]];
  return ["npx", ["-y", pinnedPnpm()]];
};

/** Packs `packages` into `destination`; returns each package name's tarball path. */
export const packAll = async (
  packages: ReadonlyArray<WorkspacePackage>,
  destination: string,
): Promise<ReadonlyMap<string, string>> => {
  const [command, prefix] = pnpm();
  const filters = packages.flatMap(({ manifest }) => ["--filter", manifest.name]);
  const output = await runOk(
    command,
    [...prefix, "-r", ...filters, "pack", "--pack-destination", destination, "--json"],
    { cwd: REPO_ROOT },
  );
  const packed = JSON.parse(output) as ReadonlyArray<{ name: string; filename: string }>;
  const tarballs = new Map(packed.map(({ name, filename }) => [name, join(filename)]));
  for (const { manifest } of packages)
    if (!tarballs.has(manifest.name)) throw new Error(`pnpm pack did not pack ${manifest.name}`);
  return tarballs;
};
