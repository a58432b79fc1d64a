// Debian's Chromium, for the tests that drive a real browser (the watcher's status page).
import { ensureDebianPackage, executableAt } from "./debian.ts";

/** Where Debian installs the Chromium binary. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Installs Debian's `chromium` when missing (fast no-op when present) and returns its path;
 * throws with a clear message when it cannot.
 */
export const ensureChromium = (): string =>
  ensureDebianPackage({
    name: "chromium",
    find: () => executableAt(CHROMIUM_PATH),
    provides: CHROMIUM_PATH,
    purpose: "the watcher's status-page test (a real headless browser)",
  });
