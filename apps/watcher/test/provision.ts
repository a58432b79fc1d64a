/**
 * vitest globalSetup: provisions the real components the watcher's tests need before any test
 * file runs, so the README's test command passes on a fresh machine: Debian's Chromium for the
 * status-page test (installed when missing, a loud failure when it cannot be), and the bundled
 * binary the launcher (`bin/miro-token-watcher.js`) prefers, rebuilt from the sources under test
 * so a bundle left by an earlier install or build never stands in for them.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureChromium } from "../../../scripts/provision/chromium.ts";

/** Runs once before the watcher's test files. */
export default function setup(): void {
  ensureChromium();
  execFileSync(process.execPath, ["../../scripts/bundle.ts", "miro-token-watcher", "--split"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: "pipe",
  });
}
