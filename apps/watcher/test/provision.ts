/**
 * vitest globalSetup: provisions the real components the watcher's tests need before any test
 * file runs, so the README's test command passes on a fresh machine. Today that is Debian's
 * Chromium for the status-page test (installed when missing, a loud failure when it cannot be).
 */
import { ensureChromium } from "../../../scripts/provision/chromium.ts";

/** Runs once before the watcher's test files. */
export default function setup(): void {
  ensureChromium();
}
