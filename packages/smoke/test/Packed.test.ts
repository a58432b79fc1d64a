/**
 * The packed packages, tried as a stranger would: `pnpm pack` every public package, install the
 * tarballs into a fresh npm project outside the workspace together with the LOWEST version
 * each peer range allows and the Node floor from `engines`, then
 * - publint (strict) and Are-The-Types-Wrong (`--profile esm-only`) on every tarball;
 * - type-check a consumer (fixture/consumer.ts) with `moduleResolution: nodenext` and strict on
 *   TypeScript 5.9 and on the repository's TypeScript 7;
 * - run it against the packed emulator on Node 24 and on the floor;
 * - run the CLI's and the watcher's bins on both Nodes, and install each alone: one package,
 *   no dependencies, a few MB.
 * The per-tarball linters run concurrently (each is a separate process, mostly start-up).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diskSize, installedPackages, npmProject } from "../src/Consumer.ts";
import { packAll } from "../src/Pack.ts";
import { run, runOk } from "../src/Run.ts";
import { lowestPeers, nodeFloor, type PackageJson, publicPackages } from "../src/Workspace.ts";

/** The oldest TypeScript a consumer may use. */
const TYPESCRIPT_FLOOR = "typescript@5.9.3";
/** Node's types for a consumer on the floor. */
const NODE_TYPES = "@types/node@22.20.7";
/** Installed alone, the CLI and the watcher must stay under this (they are single bundles). */
const SELF_CONTAINED_MAX_BYTES = 5 * 1024 * 1024;

const here = dirname(fileURLToPath(import.meta.url));
const smokeDir = join(here, "..");
const bin = (name: string): string => join(smokeDir, "node_modules", ".bin", name);
const require = createRequire(import.meta.url);
const typescript7 = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");

const packages = publicPackages();
const floor = nodeFloor(packages);
const work = mkdtempSync(join(tmpdir(), "miro-token-smoke-"));
const consumer = join(work, "consumer");
let tarballs: ReadonlyMap<string, string> = new Map();

/** The Node binaries every runnable check uses: this one (24) and the floor from `engines`. */
const nodes = (): ReadonlyArray<readonly [string, string]> => [
  [process.version.slice(1), process.execPath],
  [floor, join(consumer, "node_modules", "node", "bin", "node")],
];

const manifestIn = (project: string, name: string): PackageJson =>
  JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8"));

beforeAll(async () => {
  tarballs = await packAll(packages, join(work, "tarballs"));
  await npmProject(consumer, [
    ...tarballs.values(),
    ...lowestPeers(packages),
    TYPESCRIPT_FLOOR,
    NODE_TYPES,
    `node@${floor}`,
  ]);
  for (const file of ["consumer.ts", "tsconfig.json"])
    copyFileSync(join(smokeDir, "fixture", file), join(consumer, file));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("the packed packages in a fresh npm project", () => {
  it("declare one Node floor and peer ranges, and the project holds the lowest of each", async () => {
    expect(floor).toMatch(/^22\.\d+\.\d+$/);
    const floorNode = nodes()[1]![1];
    expect((await runOk(floorNode, ["--version"], { cwd: consumer })).trim()).toBe(`v${floor}`);
    for (const spec of lowestPeers(packages)) {
      const at = spec.lastIndexOf("@");
      expect(manifestIn(consumer, spec.slice(0, at)).version).toBe(spec.slice(at + 1));
    }
    for (const { manifest } of packages)
      expect(manifestIn(consumer, manifest.name).version).toBe(manifest.version);
  });

  it.concurrent.each(packages.map(({ manifest }) => manifest.name))(
    "%s passes publint --strict",
    async (name) => {
      await runOk(bin("publint"), ["run", tarballs.get(name)!, "--strict"], { cwd: work });
    },
  );

  it.concurrent.each(packages.map(({ manifest }) => manifest.name))(
    "%s passes Are-The-Types-Wrong (esm-only)",
    async (name) => {
      await runOk(
        bin("attw"),
        [tarballs.get(name)!, "--profile", "esm-only", "--format", "ascii"],
        {
          cwd: work,
        },
      );
    },
  );

  it("type-check a strict nodenext consumer on TypeScript 5.9", async () => {
    const tsc = join(consumer, "node_modules", "typescript", "bin", "tsc");
    await runOk(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], { cwd: consumer });
    expect(manifestIn(consumer, "typescript").version).toBe(TYPESCRIPT_FLOOR.split("@")[1]);
  });

  it("type-check a strict nodenext consumer on TypeScript 7", async () => {
    await runOk(process.execPath, [typescript7, "-p", "tsconfig.json", "--noEmit"], {
      cwd: consumer,
    });
  });

  it.each(nodes())(
    "run a program against the packed emulator on Node %s",
    async (version, node) => {
      const output = await runOk(node, ["consumer.ts"], { cwd: consumer });
      const seen = JSON.parse(output.trim().split("\n").at(-1)!);
      expect(seen).toMatchObject({
        node: `v${version}`,
        coreVersion: manifestIn(consumer, "@miro-token/core").version,
        users: { fetch: "Emulated User", ky: "Emulated User", node: "Emulated User" },
        stored: { written: "Written", count: 1 },
        streamed: [1, 2, 3],
      });
    },
  );
});

describe("the CLI and the watcher", () => {
  it.each(nodes())(
    "the CLI's bin runs on Node %s: --version, and info over each transport against the emulator",
    async (version, node) => {
      const cli = manifestIn(consumer, "@miro-token/cli");
      const binDir = join(consumer, "node_modules", ".bin");
      const versionLine = await runOk(node, [join(binDir, "miro-token"), "--version"], {
        cwd: consumer,
      });
      expect(versionLine.trim()).toBe(`miro-token ${cli.version}`);

      const emulator = await startPackedEmulator(node);
      try {
        // Every transport the bundle carries, undici's (`node`) included.
        for (const transport of ["fetch", "ky", "node"]) {
          const info = await run(
            node,
            [join(binDir, "miro-token"), "info", "--json", "--transport", transport],
            {
              cwd: consumer,
              env: { MIRO_ACCESS_TOKEN: emulator.accessToken, MIRO_API_BASE_URL: emulator.baseUrl },
            },
          );
          expect(info.stderr).not.toContain(emulator.accessToken);
          expect(info.stdout).not.toContain(emulator.accessToken);
          expect(info.code, info.stderr).toBe(0);
          expect(JSON.parse(info.stdout)).toMatchObject({
            ok: true,
            command: "info",
            state: "active",
          });
        }
      } finally {
        emulator.stop();
      }
      const running = await runOk(node, ["--version"], { cwd: consumer });
      expect(running.trim()).toBe(`v${version}`);
    },
  );

  it.each(nodes())("the watcher's bin runs on Node %s: --version", async (_version, node) => {
    const watcher = manifestIn(consumer, "@miro-token/watcher");
    const output = await runOk(
      node,
      [join(consumer, "node_modules", ".bin", "miro-token-watcher"), "--version"],
      {
        cwd: consumer,
      },
    );
    expect(output).toBe(`miro-token-watcher ${watcher.version}\n`);
  });

  it.each(["@miro-token/cli", "@miro-token/watcher"])(
    "%s installs alone: one package, no dependencies, a few MB",
    async (name) => {
      const project = join(work, `alone-${name.split("/")[1]}`);
      await npmProject(project, [tarballs.get(name)!]);
      expect(installedPackages(project)).toEqual([name]);
      expect(diskSize(join(project, "node_modules"))).toBeLessThan(SELF_CONTAINED_MAX_BYTES);
      const binName = name === "@miro-token/cli" ? "miro-token" : "miro-token-watcher";
      const output = await runOk(
        process.execPath,
        [join(project, "node_modules", ".bin", binName), "--version"],
        {
          cwd: project,
        },
      );
      expect(output).toMatch(new RegExp(`^${binName} \\d+\\.\\d+\\.\\d+\\n$`));
    },
  );
});

/** The packed emulator's bin on `node`, port 0; its base URL and seeded access token. */
const startPackedEmulator = async (
  node: string,
): Promise<{ baseUrl: string; accessToken: string; stop: () => void }> => {
  const child = spawn(
    node,
    [join(consumer, "node_modules", ".bin", "miro-token-emulator"), "--port", "0", "--json"],
    { cwd: consumer, stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  const start = JSON.parse(line) as { baseUrl: string; accessToken: string };
  return {
    baseUrl: start.baseUrl,
    accessToken: start.accessToken,
    stop: () => child.kill("SIGTERM"),
  };
};
