// hyperfine, for the cold-start benchmark (bench/src/ColdStart.ts): start-up is timed from
// outside the process, as a user meets it, which a Node parent spawning children cannot do
// without adding its own spawn cost to both sides of every ratio.
import { spawnSync } from "node:child_process";
import { ensureDebianPackage, executableAt } from "./debian.ts";

/** Where Debian installs hyperfine. */
export const HYPERFINE_PATH = "/usr/bin/hyperfine";

/** hyperfine on `PATH`, when it is there (a machine that installed it another way). */
const onPath = (): string | undefined => {
  const found = spawnSync("sh", ["-c", "command -v hyperfine"], { encoding: "utf8" });
  const path = found.status === 0 ? found.stdout.trim() : "";
  return path === "" ? undefined : path;
};

/**
 * Installs Debian's `hyperfine` when missing (fast no-op when present) and returns its path;
 * throws with a clear message (what to install) when it cannot.
 */
export const ensureHyperfine = (): string =>
  ensureDebianPackage({
    name: "hyperfine",
    find: () => executableAt(HYPERFINE_PATH) ?? onPath(),
    provides: HYPERFINE_PATH,
    purpose: "the cold-start benchmark (bench/src/ColdStart.ts)",
  });
