// Installs Debian packages the test suites need, so that the README's test command provisions
// its real components by itself on a fresh Debian machine (we run as root there). Each
// component (chromium.ts here; store-postgres's test cluster) calls `ensureDebianPackage` with
// what it needs; when it cannot install, it throws an error that says what to install by hand —
// a test never skips.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

/** A Debian package a test needs, and how to find what it installs. */
export interface DebianPackage {
  /** The Debian package name (`apt-get install <name>`). */
  readonly name: string;
  /** What the package provides, found where it should be (a path), or undefined when missing. */
  readonly find: () => string | undefined;
  /** Where `find` looks, for the messages (for example "/usr/bin/chromium"). */
  readonly provides: string;
  /** What needs it, for the messages (for example "the watcher's status-page test"). */
  readonly purpose: string;
}

/** Where the installer is and whether we may run it; tests point them elsewhere. */
export interface Installer {
  /** @default "/usr/bin/apt-get" */
  readonly aptGet?: string;
  /** @default whether this process runs as root */
  readonly root?: boolean;
}

/** Whether `path` exists and is executable. */
const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** `path` when it exists and is executable, else undefined: a `find` for a fixed path. */
export const executableAt = (path: string): string | undefined =>
  isExecutable(path) ? path : undefined;

/** Runs a command with its output on stderr; returns the failure reason, or undefined. */
const run = (command: string, args: ReadonlyArray<string>): string | undefined => {
  const result = spawnSync(command, [...args], {
    stdio: ["ignore", process.stderr, process.stderr],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.error) return `${command}: ${result.error.message}`;
  if (result.status !== 0) return `\`${command} ${args.join(" ")}\` exited ${result.status}`;
  return undefined;
};

/**
 * Makes sure the Debian package `name` is installed, judged by its `find`: returns what `find`
 * found at once when it finds it, otherwise runs `apt-get update` and
 * `apt-get install -y --no-install-recommends <name>` (waiting up to two minutes for another
 * apt on the machine to finish). Throws an Error naming the package and the manual command
 * when it is not root, apt-get is missing, or the install fails.
 */
export const ensureDebianPackage = (pkg: DebianPackage, installer: Installer = {}): string => {
  const { name, find, provides, purpose } = pkg;
  const found = find();
  if (found !== undefined) return found;
  const aptGet = installer.aptGet ?? "/usr/bin/apt-get";
  const root = installer.root ?? process.getuid?.() === 0;
  const manual = `install it by hand (as root: apt-get update && apt-get install -y --no-install-recommends ${name}) and run the tests again`;
  const fail = (reason: string): never => {
    throw new Error(
      `miro-token: ${purpose} needs Debian's ${name} (${provides}), which is missing, and the test setup could not install it: ${reason}.\nPlease ${manual}.`,
    );
  };
  if (!root) fail("not running as root");
  if (!isExecutable(aptGet)) fail(`${aptGet} not found (not a Debian-based system?)`);
  process.stderr.write(`miro-token: installing Debian's ${name} (${purpose})…\n`);
  const lock = ["-o", "DPkg::Lock::Timeout=120"];
  const failure =
    run(aptGet, [...lock, "update", "-qq"]) ??
    run(aptGet, [...lock, "install", "-y", "-qq", "--no-install-recommends", name]);
  if (failure !== undefined) fail(failure);
  return find() ?? fail(`apt-get installed ${name} but ${provides} is still missing`);
};
