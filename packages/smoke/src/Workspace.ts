/**
 * What the smoke test learns from the repository: its public packages (the ones `pnpm publish`
 * would publish), the pnpm it is pinned to, the Node floor their `engines` declare, and the
 * lowest version each peer range allows.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The fields of a package.json the smoke test reads. */
export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly engines?: { readonly node?: string };
  readonly bin?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

/** A workspace package: its directory and package.json. */
export interface WorkspacePackage {
  readonly dir: string;
  readonly manifest: PackageJson;
}

const readJson = <A>(path: string): A => JSON.parse(readFileSync(path, "utf8")) as A;

/** Every package under `packages/` and `apps/` that is not private. */
export const publicPackages = (): ReadonlyArray<WorkspacePackage> =>
  ["packages", "apps"]
    .flatMap((group) =>
      readdirSync(join(REPO_ROOT, group)).map((name) => join(REPO_ROOT, group, name)),
    )
    .map((dir) => ({ dir, manifest: readJson<PackageJson>(join(dir, "package.json")) }))
    .filter(({ manifest }) => manifest.private !== true);

/** The `pnpm@x.y.z` the repository pins in `packageManager`. */
export const pinnedPnpm = (): string =>
  readJson<{ packageManager: string }>(join(REPO_ROOT, "package.json")).packageManager;

/** The version a `>=x.y.z` or `^x.y.z` range starts at; throws on any other form. */
export const lowestVersion = (range: string): string => {
  const match = /^(?:\^|>=)(\d+\.\d+\.\d+)$/.exec(range);
  if (match?.[1] === undefined)
    throw new Error(`expected a range like ^1.2.3 or >=1.2.3, got "${range}"`);
  return match[1];
};

/**
 * The one Node floor every public package declares (`engines.node: ">=x.y.z"`); throws when a
 * package has none or they disagree.
 */
export const nodeFloor = (packages: ReadonlyArray<WorkspacePackage>): string => {
  const floors = new Set(
    packages.map(({ manifest }) => {
      const range = manifest.engines?.node;
      if (range === undefined) throw new Error(`${manifest.name} has no engines.node`);
      return lowestVersion(range);
    }),
  );
  if (floors.size !== 1)
    throw new Error(`the packages disagree on their Node floor: ${[...floors]}`);
  return [...floors][0]!;
};

/**
 * The lowest version each third-party peer range allows, one entry per peer
 * (`effect@4.1.0`…); throws when two packages give the same peer different floors.
 */
export const lowestPeers = (packages: ReadonlyArray<WorkspacePackage>): ReadonlyArray<string> => {
  const lowest = new Map<string, string>();
  for (const { manifest } of packages) {
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (name.startsWith("@miro-token/")) continue;
      const version = lowestVersion(range);
      const seen = lowest.get(name);
      if (seen !== undefined && seen !== version)
        throw new Error(`peer ${name}: ${manifest.name} allows ${range}, another ^${seen}`);
      lowest.set(name, version);
    }
  }
  return [...lowest].map(([name, version]) => `${name}@${version}`).sort();
};
